{#- Point-in-time replay (docs/replay.md). When var('as_of') is set, dbt builds "the warehouse as it would
    have been at that instant" in its own schema, never in the production schemas:

    replay_schema()      the schema a replay writes to: var('replay_schema') if set, else
                         replay_<YYYYMMDD> (as_of at 23:59:59, the end of a day) or replay_<YYYYMMDD>_<HHMMSS>;
                         none when there is no as_of or var('replay_in_place') is true (a scratch copy of
                         the warehouse, e.g. `leadhouse what-if`)
    source('raw', t)     in a replay: the view <replay>.raw__<t> of the raw rows that had arrived by as_of
                         (created by replay_raw_views(), the on-run-start hook)
    as_of_filter(col)    `col <= as_of` in a replay, `true` otherwise (production keeps every row it has)
-#}

{% macro replay_schema() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of is none or as_of | string | trim in ('', 'null', 'none', 'None') or var('replay_in_place', false) -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if var('replay_schema', none) -%}
        {{ return(var('replay_schema')) }}
    {%- endif -%}
    {%- set digits = as_of | string | replace('-', '') | replace(':', '') | replace('T', ' ') | trim -%}
    {%- set parts = digits.split(' ') -%}
    {%- set day = parts[0][:8] -%}
    {%- set time = (parts[1][:6] if parts | length > 1 else '235959') -%}
    {{ return('replay_' ~ day if time in ('235959', '') else 'replay_' ~ day ~ '_' ~ time) }}
{%- endmacro %}

{#- The raw tables a replay filters: every source table of `raw` that carries load metadata. -#}
{% macro replay_raw_tables() -%}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() -%}
        {%- if node.source_name == 'raw' and '_loaded_at' in node.columns and '_file' in node.columns -%}
            {%- do tables.append(node.name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tables | sort) }}
{%- endmacro %}

{#- source(): dbt's own, except that a replay reads the raw rows known at as_of. -#}
{% macro source(source_name, table_name) -%}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {%- set schema = replay_schema() -%}
    {%- if schema and source_name == 'raw' and execute and table_name in replay_raw_tables() -%}
        {{ return(relation.incorporate(path={'schema': schema, 'identifier': 'raw__' ~ table_name})) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{#- landing_file_day(file_expr): the day of a landing file's dt=YYYY-MM-DD folder (null if none). -#}
{% macro landing_file_day(file_expr) -%}
    {{ return(adapter.dispatch('landing_file_day', 'leadhouse')(file_expr)) }}
{%- endmacro %}

{% macro default__landing_file_day(file_expr) -%}
    try_cast(nullif(regexp_extract({{ file_expr }}, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1), '') as date)
{%- endmacro %}

{% macro postgres__landing_file_day(file_expr) -%}
    cast(substring({{ file_expr }} from 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})') as date)
{%- endmacro %}

{#- replay_raw_views(): on-run-start hook. In a replay, (re)creates the replay schema and one view per raw table
    with the rows that had arrived by as_of: loaded by then, or in a landing file of a day that had ended by
    then (a file of day D had arrived by D 23:59:59; this is what makes a replay of a warehouse loaded later
    equal to one loaded day by day). -#}
{% macro replay_raw_views() -%}
    {%- set schema = replay_schema() -%}
    {%- if not execute or not schema -%}
        {{ return('') }}
    {%- endif -%}
    {%- set as_of = scoring_as_of() -%}
    {%- set statements = ['create schema if not exists ' ~ adapter.quote(schema)] -%}
    {%- for table_name in replay_raw_tables() -%}
        {%- set raw = builtins.source('raw', table_name) -%}
        {%- do statements.append(
            'create or replace view ' ~ adapter.quote(schema) ~ '.' ~ adapter.quote('raw__' ~ table_name) ~ ' as '
            ~ 'select * from ' ~ raw ~ ' where ' ~ to_utc('_loaded_at') ~ ' <= ' ~ as_of
            ~ ' or ' ~ landing_file_day('_file') ~ ' + interval \'86399 seconds\' <= ' ~ as_of) -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}

{% macro as_of_filter(column) -%}
    {%- if replay_schema() -%}
        {{ column }} <= {{ scoring_as_of() }}
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}

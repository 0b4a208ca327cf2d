{#- The hourly path tests the newest load of its big incremental tables, the full build whole
    tables (docs/warehouse.md, "Incremental models").

    Overrides dbt's get_where_subquery(), which every generic test wraps its model in (it applies
    a test's `where` config). When the environment variable LEADHOUSE_DBT_TEST_SCOPE is
    `newest_load` (the hourly job and the benchmark's hourly build set it) and the tested model
    names a load-time column in its meta `test_scope_column`, the test reads only the model's rows
    of the newest load: `<column> >= max(<column>)`. Otherwise, as dbt: the `where` config alone.
    Read at execution only, so switching scopes re-parses nothing. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set column = none -%}
    {%- if execute and env_var('LEADHOUSE_DBT_TEST_SCOPE', 'full') == 'newest_load' -%}
        {%- set column = _test_scope_column() -%}
    {%- endif -%}
    {%- if column -%}
        {%- set newest -%}
            {{ column }} >= (select max(newest.{{ column }}) from {{ relation }} as newest)
        {%- endset -%}
        {%- set where = newest ~ (' and (' ~ where ~ ')' if where else '') -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ where ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- _test_scope_column(): the meta `test_scope_column` of the model the running test is attached
    to, or of the source it tests. -#}
{% macro _test_scope_column() -%}
    {%- set attached = model.get('attached_node') -%}
    {%- if attached and attached in graph.nodes -%}
        {%- do return(graph.nodes[attached].config.meta.get('test_scope_column')) -%}
    {%- endif -%}
    {%- set parents = model.get('depends_on', {}).get('nodes', []) -%}
    {%- if parents | length == 1 and parents[0] in graph.sources -%}
        {%- do return(graph.sources[parents[0]].meta.get('test_scope_column')) -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro %}

{#- Schema of a node: the folder's schema name (staging, intermediate, marts, seeds,
    snapshots) as is on the production targets (the default `duckdb`, `postgres`, `spark`, any
    target named prod*), and "<target>_<schema>" on every other target (e.g. `dev` writes
    dev_staging, dev_marts, ...), so a development build never overwrites what BI and the
    CRM syncs read. A point-in-time replay (var as_of) writes every node to its own schema
    instead (replay_schema(), macros/replay.sql): production untouched. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set replay = replay_schema() -%}
    {%- set base = target.schema if custom_schema_name is none else custom_schema_name | trim -%}
    {%- if replay -%}
        {{ replay }}
    {%- elif target.name in var('production_targets', ['duckdb', 'postgres', 'spark']) or target.name.startswith('prod') -%}
        {{ base }}
    {%- else -%}
        {{ target.name }}_{{ base }}
    {%- endif -%}
{%- endmacro %}

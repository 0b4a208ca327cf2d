{#- Use the folder's schema name as is (staging, intermediate, marts, seeds, snapshots)
    instead of dbt's default "<target schema>_<custom schema>". A point-in-time replay (var as_of) writes
    every node to its own schema instead (replay_schema(), macros/replay.sql): production untouched. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set replay = replay_schema() -%}
    {%- if replay -%}
        {{ replay }}
    {%- elif custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

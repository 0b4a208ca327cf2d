{#- engine_setup(): on-run-start hook (dbt_project.yml). What an engine needs in place before any
    model runs: nothing on DuckDB; on PostgreSQL, the try-cast functions of dbt.safe_cast
    (macros/engines/safe_cast.sql). -#}
{% macro engine_setup() -%}
    {{ return(adapter.dispatch('engine_setup', 'leadhouse')()) }}
{%- endmacro %}

{% macro default__engine_setup() -%}
    {{ return('') }}
{%- endmacro %}

{% macro postgres__engine_setup() -%}
    {{ return(leadhouse.postgres_try_cast_functions() if execute else '') }}
{%- endmacro %}

{#- delete_where(relation, condition): the statement that deletes the rows of `relation` where
    `condition` holds (a post-hook). Spark's Parquet tables have no DELETE: the rows to keep are
    written to <table>__dbt_kept (run now), and the returned statement overwrites the table from
    it (Spark cannot overwrite a table the same statement reads). -#}
{% macro delete_where(relation, condition) -%}
    {{ return(adapter.dispatch('delete_where', 'leadhouse')(relation, condition)) }}
{%- endmacro %}

{% macro default__delete_where(relation, condition) -%}
    delete from {{ relation }} where {{ condition }}
{%- endmacro %}

{% macro spark__delete_where(relation, condition) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set kept = api.Relation.create(schema=relation.schema, identifier=relation.identifier ~ '__dbt_kept', type='table') -%}
    {%- do run_query('drop table if exists ' ~ kept) -%}
    {%- do run_query('create table ' ~ kept ~ ' using parquet as select * from ' ~ relation
        ~ ' where not coalesce(' ~ condition ~ ', false)') -%}
    insert overwrite table {{ relation }} select * from {{ kept }}
{%- endmacro %}

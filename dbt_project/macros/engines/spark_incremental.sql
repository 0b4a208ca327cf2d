{#- Incremental models on Spark without a MERGE table format (Parquet, docs/engines.md).
    `append` works as is. `delete+insert` (fct_interactions, mart_lead_lifecycle: replace the rows
    of the keys a run recomputes) is not one of dbt-spark's strategies; these root-project
    overrides of dbt-spark's two macros accept it and emulate it: the table's rows whose key is
    not in the new batch, plus the new batch, are written to <table>__dbt_keep, then the table is
    overwritten from it (Spark cannot overwrite a table a query of the same statement reads). The
    helper table stays until the next run drops it. Other strategies go to dbt-spark unchanged. -#}

{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) -%}
    {%- if raw_strategy == 'delete+insert' -%}
        {{ return(raw_strategy) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) }}
{%- endmacro %}

{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) -%}
    {%- if strategy != 'delete+insert' -%}
        {{ return(dbt.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates)) }}
    {%- endif -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set keep = api.Relation.create(schema=target.schema, identifier=target.identifier ~ '__dbt_keep', type='table') -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
    {%- set on = [] -%}
    {%- for key in keys -%}{%- do on.append('kept.' ~ key ~ ' = batch.' ~ key) -%}{%- endfor -%}
    {%- do run_query('drop table if exists ' ~ keep) -%}
    {%- do run_query('create table ' ~ keep ~ ' using parquet as select ' ~ columns ~ ' from ('
        ~ 'select kept.* from ' ~ target ~ ' as kept left anti join ' ~ source ~ ' as batch on ' ~ on | join(' and ')
        ~ ') as kept union all select ' ~ columns ~ ' from ' ~ source) -%}
    insert overwrite table {{ target }} select {{ columns }} from {{ keep }}
{%- endmacro %}

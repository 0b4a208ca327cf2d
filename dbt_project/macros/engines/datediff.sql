{#- dbt.datediff(first, second, datepart) is a whole number of datepart boundaries crossed on every
    engine, but its type differs: bigint on DuckDB and Spark, double precision on PostgreSQL
    (date_part returns a double), so a duration in seconds would be 223 on one engine and 223.0 on
    the other. This root-project override (it takes precedence over dbt-postgres's for the `dbt`
    namespace) keeps dbt-postgres's arithmetic and casts the result to bigint. -#}
{% macro postgres__datediff(first_date, second_date, datepart) -%}
    cast({{ dbt.postgres__datediff(first_date, second_date, datepart) }} as bigint)
{%- endmacro %}

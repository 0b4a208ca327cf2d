{#- dbt.split_part on Spark: dbt-spark's own turns the delimiter into a regex escaped with '\\',
    which reads as two backslashes under spark.sql.parser.escapedStringLiterals (profiles.yml), so
    nothing splits. Spark 3.3+ has split_part itself, with a literal delimiter and '' out of range,
    as DuckDB and PostgreSQL. This root-project override takes precedence over dbt-spark's. -#}
{% macro spark__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}

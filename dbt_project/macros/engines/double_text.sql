{#- double_text(expr): a double as text, the same on every engine: its shortest round-trip form,
    with '.0' on a whole number ('9.0', '60.0', '0.25'), as DuckDB writes it. PostgreSQL writes
    whole doubles without the '.0' ('9'), so explanations ("half-life 9.0 d") and stage reasons
    ("lead_score 63.70 >= 60.0") would differ. For doubles only: a decimal keeps its scale as text
    on every engine (cast(63.70 as text) is '63.70'). -#}
{% macro double_text(expr) -%}
    {{ return(adapter.dispatch('double_text', 'leadhouse')(expr)) }}
{%- endmacro %}

{% macro default__double_text(expr) -%}
    cast({{ expr }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro postgres__double_text(expr) -%}
    case when {{ expr }} = trunc({{ expr }}) and abs({{ expr }}) < 1e15
         then cast(cast({{ expr }} as bigint) as text) || '.0'
         else cast({{ expr }} as text) end
{%- endmacro %}

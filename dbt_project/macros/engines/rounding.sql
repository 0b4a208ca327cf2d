{#- round_half_up(expr, digits): expr rounded to `digits` decimals, halves away from zero, with the
    same result on every engine.

    Engines round a double differently: DuckDB rounds the binary value (0.3 * 12.25 is
    3.6749999999999998, so 3.67), PostgreSQL has no round(double precision, n) and rounds a
    numeric (3.675, so 3.68), Spark rounds the shortest decimal form. Going through
    decimal(18, 6) first makes the input the same decimal everywhere, then every engine rounds a
    decimal half away from zero (docs/engines.md, "Differences and rounding rules"). -#}
{% macro round_half_up(expr, digits) -%}
    {{ return(adapter.dispatch('round_half_up', 'leadhouse')(expr, digits)) }}
{%- endmacro %}

{% macro default__round_half_up(expr, digits) -%}
    round(cast({{ expr }} as decimal(18, 6)), {{ digits }})
{%- endmacro %}

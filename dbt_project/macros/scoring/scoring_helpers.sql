{#- Small cross-database helpers of the scoring area (adapter.dispatch with default__). -#}

{#- scoring_as_of(): the timestamp scores are computed at: var('as_of') when set, else the start of the
    dbt invocation (naive UTC) - one literal for the whole run, so every model scores at the same instant. -#}
{% macro scoring_as_of() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of is none or as_of == '' or as_of == 'null' -%}
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
    {%- else -%}
        cast('{{ as_of }}' as {{ dbt.type_timestamp() }})
    {%- endif -%}
{%- endmacro %}

{#- scoring_now(): the wall-clock instant as a naive UTC timestamp (when a row was recorded). -#}
{% macro scoring_now() -%}
    {{ return(adapter.dispatch('scoring_now', 'leadhouse')()) }}
{%- endmacro %}

{% macro default__scoring_now() -%}
    cast(current_timestamp at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro spark__scoring_now() -%}
    current_timestamp()
{%- endmacro %}

{#- scoring_age_days(ts, as_of): days (fractional) between ts and as_of. -#}
{% macro scoring_age_days(ts, as_of) -%}
    ({{ dbt.datediff(ts, as_of, 'second') }} / 86400e0)
{%- endmacro %}

{#- scoring_points(expr): the numeric type every score and explanation row uses (exact sums). -#}
{% macro scoring_points(expr) -%}
    cast({{ expr }} as {{ scoring_points_type() }})
{%- endmacro %}

{% macro scoring_points_type() -%}
    decimal(9, 2)
{%- endmacro %}

{#- scoring_in_list(expr, list_expr): expr is one of the '|'-separated values of list_expr (case-insensitive). -#}
{% macro scoring_in_list(expr, list_expr) -%}
    ({{ dbt.position("'|' || lower(trim(" ~ expr ~ ")) || '|'", "'|' || lower(" ~ list_expr ~ ") || '|'") }} > 0)
{%- endmacro %}

{#- scoring_float(): an 8-byte float type name. -#}
{% macro scoring_float() -%}
    {{ return(adapter.dispatch('scoring_float', 'leadhouse')()) }}
{%- endmacro %}

{% macro default__scoring_float() -%}double{%- endmacro %}

{% macro postgres__scoring_float() -%}double precision{%- endmacro %}

{#- scoring_least_ts(exprs): the earliest non-null of a list of timestamp expressions (null if all are). -#}
{% macro scoring_least_ts(exprs) -%}
    {%- if exprs | length == 1 -%}
        {{ exprs[0] }}
    {%- else -%}
        nullif(least({% for e in exprs %}coalesce({{ e }}, cast('9999-12-31' as {{ dbt.type_timestamp() }})){% if not loop.last %}, {% endif %}{% endfor %}),
               cast('9999-12-31' as {{ dbt.type_timestamp() }}))
    {%- endif -%}
{%- endmacro %}

{#- scoring_try_number(expr): expr as a float, null when it is not a number (never an error). -#}
{% macro scoring_try_number(expr) -%}
    {{ return(adapter.dispatch('scoring_try_number', 'leadhouse')(expr)) }}
{%- endmacro %}

{% macro default__scoring_try_number(expr) -%}
    try_cast({{ expr }} as {{ scoring_float() }})
{%- endmacro %}

{% macro postgres__scoring_try_number(expr) -%}
    case when trim(cast({{ expr }} as text)) ~ '^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$'
         then cast(trim(cast({{ expr }} as text)) as double precision) end
{%- endmacro %}

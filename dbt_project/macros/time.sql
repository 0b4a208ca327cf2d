{#- Timestamps: everything downstream of staging is a naive `timestamp` in UTC. -#}

{#- to_utc(expr): a timestamptz expression as a naive UTC timestamp. -#}
{% macro to_utc(expr) -%}
    ({{ expr }} at time zone 'UTC')
{%- endmacro %}

{#- iso_to_utc(text_expr): an ISO-8601 string (any offset) as a naive UTC timestamp. -#}
{% macro iso_to_utc(expr) -%}
    ({{ dbt.safe_cast(expr, 'timestamp with time zone') }} at time zone 'UTC')
{%- endmacro %}

{#- epoch_to_utc(seconds_expr): Unix seconds (may be fractional) as a naive UTC timestamp. -#}
{% macro epoch_to_utc(expr) -%}
    (to_timestamp(cast({{ expr }} as double precision)) at time zone 'UTC')
{%- endmacro %}

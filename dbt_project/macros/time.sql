{#- Timestamps: everything downstream of staging is a naive `timestamp` in UTC. -#}

{#- to_utc(expr): a timestamptz expression as a naive UTC timestamp. -#}
{% macro to_utc(expr) -%}
    {{ return(adapter.dispatch('to_utc', 'leadhouse')(expr)) }}
{%- endmacro %}

{% macro default__to_utc(expr) -%}
    ({{ expr }} at time zone 'UTC')
{%- endmacro %}

{#- Spark has one timestamp type, an instant shown in the session time zone (UTC, profiles.yml). -#}
{% macro spark__to_utc(expr) -%}
    cast({{ expr }} as timestamp)
{%- endmacro %}

{#- iso_to_utc(text_expr): an ISO-8601 string (any offset) as a naive UTC timestamp. -#}
{% macro iso_to_utc(expr) -%}
    {{ leadhouse.to_utc(dbt.safe_cast(expr, 'timestamp with time zone')) }}
{%- endmacro %}

{#- epoch_to_utc(seconds_expr): Unix seconds (may be fractional) as a naive UTC timestamp. -#}
{% macro epoch_to_utc(expr) -%}
    {{ return(adapter.dispatch('epoch_to_utc', 'leadhouse')(expr)) }}
{%- endmacro %}

{% macro default__epoch_to_utc(expr) -%}
    (to_timestamp(cast({{ expr }} as double precision)) at time zone 'UTC')
{%- endmacro %}

{% macro spark__epoch_to_utc(expr) -%}
    timestamp_micros(cast(round(cast({{ expr }} as double) * 1000000) as bigint))
{%- endmacro %}

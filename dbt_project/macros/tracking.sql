{#- track_event_key(expr): a Segment track event name made comparable with the tracking plan:
    lower-cased, trimmed, runs of spaces, underscores and dashes made one space
    ('Demo Requested', 'demo_requested', 'demo-requested' → 'demo requested'). -#}
{% macro track_event_key(expr) -%}
    {{ return(adapter.dispatch('track_event_key', 'leadhouse')(expr)) }}
{%- endmacro %}

{% macro default__track_event_key(expr) -%}
    lower(trim(regexp_replace({{ expr }}, '[-_[:space:]]+', ' ', 'g')))
{%- endmacro %}

{% macro spark__track_event_key(expr) -%}
    lower(trim(regexp_replace({{ expr }}, '[-_\s]+', ' ')))
{%- endmacro %}

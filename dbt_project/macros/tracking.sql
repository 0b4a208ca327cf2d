{#- track_event_key(expr): a Segment track event name made comparable with the tracking plan:
    lower-cased, trimmed, runs of spaces, underscores and dashes made one space
    ('Demo Requested', 'demo_requested', 'demo-requested' → 'demo requested'). -#}
{% macro track_event_key(expr) -%}
    lower(trim(regexp_replace({{ expr }}, '[-_[:space:]]+', ' ', 'g')))
{%- endmacro %}

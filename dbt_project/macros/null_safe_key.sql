{#- null_safe_key(expr): a text key that two values share exactly when they are equal or both null:
    an equi-join every engine hashes (PostgreSQL cannot hash `is not distinct from`, and `in` never
    matches a null). The scoring rules and the content categories (int_interactions__web) are matched
    once per distinct value and joined back to the rows on it; int_email__events picks the messages
    to recompute with it. -#}
{% macro null_safe_key(expr) -%}
    coalesce({{ expr }} || '1', '0')
{%- endmacro %}

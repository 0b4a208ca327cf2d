{#- Field access for the form providers' array-shaped payloads (used many times in stg_forms__submissions). -#}

{#- hubspot_form_field(name): value of the HubSpot Forms v3 `fields[]` entry with this internal name. -#}
{% macro hubspot_form_field(name, column='payload') -%}
    {{ leadhouse.json_array_lookup(column, '$.fields', '$.name', name, ['$.value']) }}
{%- endmacro %}

{#- typeform_answer(ref): value of the Typeform answer whose field.ref is `ref`, whatever its answer type. -#}
{% macro typeform_answer(ref, column='payload') -%}
    {{ leadhouse.json_array_lookup(column, '$.form_response.answers', '$.field.ref', ref,
        ['$.email', '$.text', '$.choice.label', '$.number', '$.phone_number', '$.boolean', '$.url', '$.date']) }}
{%- endmacro %}

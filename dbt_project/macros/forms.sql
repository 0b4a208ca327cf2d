{#- Field access for the form providers' array-shaped payloads (used many times in stg_forms__submissions). -#}

{#- hubspot_form_field(name): value of the HubSpot Forms v3 `fields[]` entry with this internal name. -#}
{% macro hubspot_form_field(name, column='payload') -%}
    {{ leadhouse.json_array_lookup(column, '$.fields', '$.name', name, ['$.value']) }}
{%- endmacro %}

{#- typeform_answer(ref): value of the Typeform answer whose field.ref is `ref`, whatever its answer type. -#}
{% macro typeform_answer(ref, column='payload') -%}
    {{ leadhouse.json_array_lookup(column, '$.form_response.answers', '$.field.ref', ref,
        ['$.email', '$.text', '$.choice.label', '$.choice.other', '$.choices.labels[0]',
         '$.number', '$.phone_number', '$.boolean', '$.url', '$.date']) }}
{%- endmacro %}

{#- typeform_answer_of_type(field_type): value of the first answer whose field type is `field_type`
    (email, phone_number, …): answers are found by what they are, never by their position. -#}
{% macro typeform_answer_of_type(field_type, column='payload') -%}
    {{ leadhouse.json_array_lookup(column, '$.form_response.answers', '$.field.type', field_type,
        ['$.email', '$.text', '$.phone_number', '$.url']) }}
{%- endmacro %}

{#- typeform_answer_titled(pattern, field_types): value of the first answer to a question of one of
    `field_types` whose title (form_response.definition.fields[].title) matches the regex `pattern`:
    typeforms built in the UI have random refs, their titles say what they ask. -#}
{% macro typeform_answer_titled(pattern, field_types, column='payload') -%}
    {{ return(adapter.dispatch('typeform_answer_titled', 'leadhouse')(pattern, field_types, column)) }}
{%- endmacro %}

{% macro default__typeform_answer_titled(pattern, field_types, column='payload') -%}
    {%- set types = "['" ~ (field_types | join("', '")) ~ "']" -%}
    (select coalesce(json_extract_string(a.el, '$.text'), json_extract_string(a.el, '$.choice.label'),
                     json_extract_string(a.el, '$.choices.labels[0]'), json_extract_string(a.el, '$.email'),
                     json_extract_string(a.el, '$.phone_number'))
       from (select unnest(coalesce(json_extract({{ column }}, '$.form_response.answers[*]'), [])) as el) as a
       join (select unnest(coalesce(json_extract({{ column }}, '$.form_response.definition.fields[*]'), [])) as el) as f
         on json_extract_string(a.el, '$.field.id') = json_extract_string(f.el, '$.id')
      where list_contains({{ types }}, json_extract_string(f.el, '$.type'))
        and regexp_matches(lower(json_extract_string(f.el, '$.title')), '{{ pattern }}')
      limit 1)
{%- endmacro %}

{% macro postgres__typeform_answer_titled(pattern, field_types, column='payload') -%}
    (select coalesce(a.el #>> '{text}', a.el #>> '{choice,label}', a.el #>> '{choices,labels,0}', a.el #>> '{email}',
                     a.el #>> '{phone_number}')
       from jsonb_array_elements(cast({{ column }} as jsonb) #> '{form_response,answers}') as a(el)
       join jsonb_array_elements(cast({{ column }} as jsonb) #> '{form_response,definition,fields}') as f(el)
         on a.el #>> '{field,id}' = f.el #>> '{id}'
      where f.el #>> '{type}' in ('{{ field_types | join("', '") }}')
        and lower(f.el #>> '{title}') ~ '{{ pattern }}'
      limit 1)
{%- endmacro %}

{#- Cross-database JSON access. Paths use the JSONPath subset `$.a.b`, `$."key-with-dash".c`, `$.a[0]`.
    DuckDB reads them natively; PostgreSQL gets them translated to a `#>>` text-array path. -#}

{% macro _pg_json_path(path) -%}
    {%- set p = path[2:] if path.startswith('$.') else path -%}
    {%- set p = p.replace('"', '').replace('[', '.').replace(']', '') -%}
    '{{ '{' ~ p.split('.') | join(',') ~ '}' }}'
{%- endmacro %}

{#- json_text(column, path): the value at `path` as text (null when absent). -#}
{% macro json_text(column, path) -%}
    {{ return(adapter.dispatch('json_text', 'leadhouse')(column, path)) }}
{%- endmacro %}

{% macro default__json_text(column, path) -%}
    json_extract_string({{ column }}, '{{ path }}')
{%- endmacro %}

{% macro postgres__json_text(column, path) -%}
    (cast({{ column }} as jsonb) #>> {{ leadhouse._pg_json_path(path) }})
{%- endmacro %}

{#- json_parse(text_expr): parse a JSON document held as text. -#}
{% macro json_parse(expr) -%}
    {{ return(adapter.dispatch('json_parse', 'leadhouse')(expr)) }}
{%- endmacro %}

{% macro default__json_parse(expr) -%}
    cast({{ expr }} as json)
{%- endmacro %}

{% macro postgres__json_parse(expr) -%}
    cast({{ expr }} as jsonb)
{%- endmacro %}

{#- json_array_lookup(column, array_path, key_path, key_value, value_paths):
    in the JSON array at `array_path`, the first element whose `key_path` equals `key_value`,
    then the first non-null of `value_paths` inside that element (as text).
    Used for HubSpot `fields[]` (by name) and Typeform `answers[]` (by field.ref). -#}
{% macro json_array_lookup(column, array_path, key_path, key_value, value_paths) -%}
    {{ return(adapter.dispatch('json_array_lookup', 'leadhouse')(column, array_path, key_path, key_value, value_paths)) }}
{%- endmacro %}

{% macro default__json_array_lookup(column, array_path, key_path, key_value, value_paths) -%}
    {%- set element -%}
        list_filter(json_extract({{ column }}, '{{ array_path }}[*]'),
                    lambda el: json_extract_string(el, '{{ key_path }}') = '{{ key_value }}')[1]
    {%- endset -%}
    {%- if value_paths | length == 1 -%}
        json_extract_string({{ element }}, '{{ value_paths[0] }}')
    {%- else -%}
        coalesce({% for vp in value_paths %}json_extract_string({{ element }}, '{{ vp }}'){% if not loop.last %}, {% endif %}{% endfor %})
    {%- endif -%}
{%- endmacro %}

{% macro postgres__json_array_lookup(column, array_path, key_path, key_value, value_paths) -%}
    (select coalesce({% for vp in value_paths %}el #>> {{ leadhouse._pg_json_path(vp) }}{% if not loop.last %}, {% endif %}{% endfor %})
       from jsonb_array_elements(cast({{ column }} as jsonb) #> {{ leadhouse._pg_json_path(array_path) }}) as el
      where el #>> {{ leadhouse._pg_json_path(key_path) }} = '{{ key_value }}'
      limit 1)
{%- endmacro %}

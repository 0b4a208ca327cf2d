{#- Regular expressions and URL parsing, per engine. -#}

{#- regex_matches(expr, pattern): boolean, pattern is a POSIX-ish regex literal (no quotes). -#}
{% macro regex_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_matches', 'leadhouse')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__regex_matches(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{#- regex_matches_ci(expr, pattern_expr): case-insensitive regex match, the pattern from an expression (a column). -#}
{% macro regex_matches_ci(expr, pattern_expr) -%}
    {{ return(adapter.dispatch('regex_matches_ci', 'leadhouse')(expr, pattern_expr)) }}
{%- endmacro %}

{% macro default__regex_matches_ci(expr, pattern_expr) -%}
    regexp_matches({{ expr }}, {{ pattern_expr }}, 'i')
{%- endmacro %}

{% macro postgres__regex_matches_ci(expr, pattern_expr) -%}
    ({{ expr }} ~* {{ pattern_expr }})
{%- endmacro %}

{#- regex_extract(expr, pattern): the first capture group, or null. -#}
{% macro regex_extract(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_extract', 'leadhouse')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_extract(expr, pattern) -%}
    nullif(regexp_extract({{ expr }}, '{{ pattern }}', 1), '')
{%- endmacro %}

{% macro postgres__regex_extract(expr, pattern) -%}
    substring({{ expr }} from '{{ pattern }}')
{%- endmacro %}

{#- url_param(url, name): a query-string parameter of a URL (not url-decoded). -#}
{% macro url_param(url, name) -%}
    {{ leadhouse.regex_extract(url, '[?&]' ~ name ~ '=([^&#]+)') }}
{%- endmacro %}

{#- url_path(url): the path of an absolute URL ('/' when empty). -#}
{% macro url_path(url) -%}
    coalesce({{ leadhouse.regex_extract(url, '^[a-zA-Z]+://[^/?#]+(/[^?#]*)') }}, case when {{ url }} is not null then '/' end)
{%- endmacro %}

{#- url_host(url): the host of an absolute URL, lower-cased, without www. -#}
{% macro url_host(url) -%}
    {{ leadhouse.regex_extract('lower(' ~ url ~ ')', '^[a-z]+://(?:www\\.)?([^/?#:]+)') }}
{%- endmacro %}

{#- Spark: rlike and regexp_extract take Java regular expressions (the project's patterns read the
    same); case-insensitive through the (?i) flag. -#}
{% macro spark__regex_matches(expr, pattern) -%}
    ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_matches_ci(expr, pattern_expr) -%}
    ({{ expr }} rlike concat('(?i)', {{ pattern_expr }}))
{%- endmacro %}

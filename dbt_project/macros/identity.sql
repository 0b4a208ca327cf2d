{#- Identity helpers shared by staging, identity and marts. -#}

{#- normalize_email(expr): trimmed, lower-cased email; null when it fails a basic x@y.tld check. -#}
{% macro normalize_email(expr) -%}
    case when {{ leadhouse.regex_matches('lower(trim(' ~ expr ~ '))', '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$') }}
         then lower(trim({{ expr }})) end
{%- endmacro %}

{#- email_domain(email_expr): the part after the @ of an already normalised email. -#}
{% macro email_domain(expr) -%}
    {{ dbt.split_part(expr, "'@'", 2) }}
{%- endmacro %}

{#- lead_id(email): sha256 hex of lower(trim(email)), the one lead key (data-contracts §3). -#}
{% macro lead_id(email) -%}
    {{ return(adapter.dispatch('lead_id', 'leadhouse')(email)) }}
{%- endmacro %}

{% macro default__lead_id(email) -%}
    sha256(lower(trim({{ email }})))
{%- endmacro %}

{% macro postgres__lead_id(email) -%}
    encode(sha256(convert_to(lower(trim({{ email }})), 'UTF8')), 'hex')
{%- endmacro %}

{#- employee_count_from_text(expr): an employee count from '250', '100-500', '1000+', '5,001-10,000':
    the number itself, the midpoint of a range, or 1.5 x the lower bound of an open range. -#}
{% macro employee_count_from_text(expr) -%}
    {%- set cleaned = "replace(replace(trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ ")), ',', ''), ' ', '')" -%}
    case
        when {{ leadhouse.regex_matches(cleaned, '^[0-9]+$') }}
            then cast({{ cleaned }} as {{ dbt.type_int() }})
        when {{ leadhouse.regex_matches(cleaned, '^[0-9]+-[0-9]+$') }}
            then cast(round((cast({{ leadhouse.regex_extract(cleaned, '^([0-9]+)-') }} as {{ dbt.type_int() }})
                           + cast({{ leadhouse.regex_extract(cleaned, '-([0-9]+)$') }} as {{ dbt.type_int() }})) / 2.0) as {{ dbt.type_int() }})
        when {{ leadhouse.regex_matches(cleaned, '^[0-9]+\\+$') }}
            then cast(round(cast({{ leadhouse.regex_extract(cleaned, '^([0-9]+)') }} as {{ dbt.type_int() }}) * 1.5) as {{ dbt.type_int() }})
    end
{%- endmacro %}

{#- company_size_bucket(count_expr): the contract bucket of an employee count. -#}
{% macro company_size_bucket(expr) -%}
    case
        when {{ expr }} is null then 'unknown'
        when {{ expr }} <= 10 then '1-10'
        when {{ expr }} <= 50 then '11-50'
        when {{ expr }} <= 200 then '51-200'
        when {{ expr }} <= 1000 then '201-1000'
        when {{ expr }} <= 5000 then '1001-5000'
        else '5000+'
    end
{%- endmacro %}

{#- latest_value(value, order_by): in an aggregation, the value of the row with the greatest
    order_by among rows where value is not null (arg_max on DuckDB, array_agg on PostgreSQL). -#}
{% macro latest_value(value, order_by) -%}
    {{ return(adapter.dispatch('latest_value', 'leadhouse')(value, order_by)) }}
{%- endmacro %}

{% macro default__latest_value(value, order_by) -%}
    arg_max({{ value }}, {{ order_by }}) filter (where {{ value }} is not null)
{%- endmacro %}

{% macro postgres__latest_value(value, order_by) -%}
    (array_agg({{ value }} order by {{ order_by }} desc) filter (where {{ value }} is not null))[1]
{%- endmacro %}

{% macro spark__lead_id(email) -%}
    sha2(lower(trim({{ email }})), 256)
{%- endmacro %}

{% macro spark__latest_value(value, order_by) -%}
    max_by({{ value }}, {{ order_by }}) filter (where {{ value }} is not null)
{%- endmacro %}

{#- Rows whose column is not null and not a normalised x@y.tld email (trimmed, lower-cased). -#}
{% test is_valid_email(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and (
        {{ column_name }} <> lower(trim({{ column_name }}))
        or not {{ leadhouse.regex_matches(column_name, '^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$') }}
  )
{% endtest %}

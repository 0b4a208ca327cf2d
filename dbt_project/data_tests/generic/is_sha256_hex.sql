{#- Rows whose column is not a 64-character lower-case hex string (the lead_id format). -#}
{% test is_sha256_hex(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and not {{ leadhouse.regex_matches(column_name, '^[0-9a-f]{64}$') }}
{% endtest %}

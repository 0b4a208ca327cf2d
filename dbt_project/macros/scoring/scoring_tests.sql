{#- Generic tests of the scoring area (no dbt_utils here: no network). -#}

{#- scoring_accepted_range: every non-null value lies in [min_value, max_value]. -#}
{% test scoring_accepted_range(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }} as out_of_range_value
from {{ model }}
where {{ column_name }} is not null
  and (1 = 0
  {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
  {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %})
{% endtest %}

{#- scoring_expression_is_true: rows where the expression is false (or null) fail. -#}
{% test scoring_expression_is_true(model, expression) %}
select * from {{ model }} where not coalesce({{ expression }}, false)
{% endtest %}

{#- scoring_unique_combination: the listed columns together identify a row. -#}
{% test scoring_unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{#- A crossing (lead, hand-off type, crossing time) is recorded once, and never before the lead existed. -#}
{{ config(meta={'dagster': {'ref': {'name': 'fct_lead_handoffs'}}}) }}
select lead_id, handoff_type, crossed_at, count(*) as n
from {{ ref('fct_lead_handoffs') }}
group by lead_id, handoff_type, crossed_at
having count(*) > 1

-- No interaction of a lead happens before the lead's first-seen time (dim_leads.first_seen_at is the
-- earliest of its creation and of all its interactions, stitched anonymous history included).
{{ config(meta={'dagster': {'ref': {'name': 'fct_interactions'}}}) }}

select interactions.interaction_id, interactions.occurred_at, leads.first_seen_at
from {{ ref('fct_interactions') }} as interactions
inner join {{ ref('dim_leads') }} as leads
    on interactions.lead_id = leads.lead_id
where interactions.occurred_at < leads.first_seen_at

-- Every MQL / PQL / SQL hand-off to sales: the lead's key, CRM id and company (no email or name).
with handoffs as (
    select * from {{ ref('fct_lead_handoffs') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
)

select
    handoffs.handoff_id,
    handoffs.lead_id,
    handoffs.handoff_type,
    handoffs.from_stage,
    handoffs.crossed_at,
    cast(handoffs.crossed_at as date) as handoff_date,
    leads.crm_id,
    leads.company_name,
    handoffs.fit_score,
    handoffs.engagement_score,
    handoffs.lead_score,
    handoffs.tier,
    handoffs.temperature,
    handoffs.model_version,
    handoffs.recorded_at
from handoffs
left join leads on leads.lead_id = handoffs.lead_id

-- One row per lead for the champion scoring model: what the CRM sync and the quality checks read.
with champion as (
    select model_id from {{ ref('scoring_models') }} where is_champion
)

select
    s.lead_id, l.email, l.crm_id, l.first_name, l.last_name, l.company_name,
    s.fit_score, s.engagement_score, s.lead_score, s.fit_grade, s.tier, s.temperature, s.buying_stage,
    coalesce(lc.lifecycle_stage, 'lead') as lifecycle_stage,
    s.model_version, s.scored_at,
    l.consent_to_process, l.is_unsubscribed, l.is_hard_bounced,
    coalesce(lc.lifecycle_stage = 'disqualified', false) as is_disqualified,
    s.is_suppressed, s.suppression_reason, s.best_persona_id, lc.stage_entered_at
from {{ ref('mart_lead_scores') }} as s
inner join champion as c on c.model_id = s.model_id
inner join {{ ref('dim_leads') }} as l on l.lead_id = s.lead_id
left join {{ ref('mart_lead_lifecycle') }} as lc on lc.lead_id = s.lead_id

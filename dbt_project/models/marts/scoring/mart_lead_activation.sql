-- One row per lead for the champion scoring model: what the CRM sync and the quality checks read.
-- The one mart with the person's email and name (from int_identity__lead_contacts): the syncs need
-- them to reach the CRM record; it is never published to BI (docs/privacy.md).
with scoring_models as (
    select * from {{ ref('scoring_models') }}
),

lead_scores as (
    select * from {{ ref('mart_lead_scores') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
),

contacts as (
    select * from {{ ref('int_identity__lead_contacts') }}
),

lifecycle as (
    select * from {{ ref('mart_lead_lifecycle') }}
),

champion as (
    select model_id from scoring_models where is_champion
)

select
    scores.lead_id, contacts.email, leads.crm_id, contacts.first_name, contacts.last_name, leads.company_name,
    scores.fit_score, scores.engagement_score, scores.lead_score, scores.fit_grade, scores.tier,
    scores.temperature, scores.buying_stage,
    coalesce(lifecycle.lifecycle_stage, 'lead') as lifecycle_stage,
    scores.model_version, scores.scored_at,
    leads.consent_to_process, leads.is_unsubscribed, leads.is_hard_bounced,
    coalesce(lifecycle.lifecycle_stage = 'disqualified', false) as is_disqualified,
    scores.is_suppressed, scores.suppression_reason, scores.best_persona_id, lifecycle.stage_entered_at
from lead_scores as scores
inner join champion on champion.model_id = scores.model_id
inner join leads on leads.lead_id = scores.lead_id
inner join contacts on contacts.lead_id = scores.lead_id
left join lifecycle on lifecycle.lead_id = scores.lead_id

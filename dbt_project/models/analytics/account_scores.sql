-- One row per account (company domain) for the champion scoring model.
with accounts as (
    select * from {{ ref('mart_account_scores') }}
),

champion as (
    select model_id from {{ ref('scoring_models') }} where is_champion
)

select
    accounts.company_domain,
    accounts.lead_count,
    accounts.unsuppressed_lead_count,
    accounts.account_fit_score,
    accounts.account_engagement_score,
    accounts.personas_covered,
    accounts.persona_coverage,
    accounts.scored_at
from accounts
inner join champion on champion.model_id = accounts.model_id

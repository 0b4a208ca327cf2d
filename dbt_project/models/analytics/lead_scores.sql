-- One row per lead for the champion scoring model: scores, tier, persona, lifecycle stage, first
-- touch and when the lead reached each funnel step. The BI table for "who to call today".
with activation as (
    select * from {{ ref('mart_lead_activation') }}
),

scores as (
    select * from {{ ref('mart_lead_scores') }}
),

lifecycle as (
    select * from {{ ref('mart_lead_lifecycle') }}
),

personas as (
    select * from {{ ref('scoring_personas') }}
),

champion as (
    select model_id from {{ ref('scoring_models') }} where is_champion
),

champion_scores as (
    select scores.*
    from scores
    inner join champion on champion.model_id = scores.model_id
),

joined as (
    select
        activation.lead_id,
        activation.company_name,
        activation.crm_id,
        champion_scores.model_id,
        activation.model_version,
        activation.best_persona_id as persona_id,
        personas.persona_name,
        activation.fit_score,
        activation.fit_grade,
        activation.engagement_score,
        champion_scores.engagement_band,
        activation.lead_score,
        activation.tier,
        champion_scores.tier_rank,
        activation.temperature,
        activation.buying_stage,
        activation.lifecycle_stage,
        activation.stage_entered_at,
        activation.is_suppressed,
        activation.suppression_reason,
        coalesce(nullif(trim(lifecycle.first_touch_utm_source), ''), '(none)') as first_touch_source,
        coalesce(nullif(trim(lifecycle.first_touch_utm_campaign), ''), '(none)') as first_touch_campaign,
        lifecycle.first_seen_at,
        {{ scoring_least_ts(['lifecycle.became_mql_at', 'lifecycle.became_pql_at', 'lifecycle.became_sql_at', 'lifecycle.became_opportunity_at', 'lifecycle.became_customer_at', 'lifecycle.became_evangelist_at']) }} as reached_mql_at,
        {{ scoring_least_ts(['lifecycle.became_sql_at', 'lifecycle.became_opportunity_at', 'lifecycle.became_customer_at', 'lifecycle.became_evangelist_at']) }} as reached_sql_at,
        {{ scoring_least_ts(['lifecycle.became_opportunity_at', 'lifecycle.became_customer_at', 'lifecycle.became_evangelist_at']) }} as reached_opportunity_at,
        {{ scoring_least_ts(['lifecycle.became_customer_at', 'lifecycle.became_evangelist_at']) }} as reached_customer_at,
        activation.scored_at
    from activation
    inner join champion_scores on champion_scores.lead_id = activation.lead_id
    left join lifecycle on lifecycle.lead_id = activation.lead_id
    left join personas
        on personas.model_id = champion_scores.model_id
            and personas.persona_id = activation.best_persona_id
)

select
    lead_id,
    company_name,
    crm_id,
    model_id,
    model_version,
    persona_id,
    persona_name,
    fit_score,
    fit_grade,
    engagement_score,
    engagement_band,
    lead_score,
    cast(ntile(10) over (order by lead_score desc, lead_id) as integer) as lead_score_decile,
    tier,
    tier_rank,
    temperature,
    buying_stage,
    lifecycle_stage,
    stage_entered_at,
    is_suppressed,
    suppression_reason,
    first_touch_source,
    first_touch_campaign,
    first_seen_at,
    reached_mql_at,
    reached_sql_at,
    reached_opportunity_at,
    reached_customer_at,
    cast({{ dbt.datediff('first_seen_at', 'reached_mql_at', 'second') }} / 86400e0 as {{ scoring_float() }})
        as days_to_mql,
    cast({{ dbt.datediff('first_seen_at', 'reached_sql_at', 'second') }} / 86400e0 as {{ scoring_float() }})
        as days_to_sql,
    scored_at
from joined

-- One row per lead per scoring model: fit, engagement, buying stage, tier, temperature, lead score,
-- suppression. Every parameter comes from the scoring_* seeds; docs/scoring.md explains the logic.
with scoring_models as (
    select * from {{ ref('scoring_models') }}
),

dim_leads as (
    select * from {{ ref('dim_leads') }}
),

engagement_contributions as (
    select * from {{ ref('int_scoring_engagement__contributions') }}
),

score_bands as (
    select * from {{ ref('scoring_score_bands') }}
),

fit_scores as (
    select * from {{ ref('int_scoring_fit__scores') }}
),

buying_stages as (
    select * from {{ ref('int_scoring_engagement__buying_stage') }}
),

suppressions as (
    select * from {{ ref('int_scoring__suppression') }}
),

tier_matrix as (
    select * from {{ ref('scoring_tier_matrix') }}
),

models as (
    select model_id, model_version, fit_weight, engagement_weight from scoring_models
),

leads as (
    select
        lead_id, is_enriched, stated_need, stated_authority,
        {{ bant_is_positive('stated_budget') }} as has_budget,
        {{ bant_is_positive('stated_timeline') }} as has_timeline
    from dim_leads
),

engagement as (
    select lead_id, model_id, sum(points) as engagement_score
    from engagement_contributions
    group by lead_id, model_id
),

bands as (
    select model_id, score_type, band, min_score from score_bands
),

scored as (
    select
        leads.lead_id, models.model_id, models.model_version,
        {{ scoring_points('coalesce(fit.fit_score, 0)') }} as fit_score,
        fit.best_persona_id,
        {{ scoring_points('coalesce(fit.profile_fit_score, 0)') }} as profile_fit_score,
        {{ scoring_points('coalesce(fit.qualification_points, 0)') }} as qualification_points,
        fit.fit_completeness,
        coalesce(leads.is_enriched, false) as is_enriched,
        {{ scoring_points('coalesce(engagement.engagement_score, 0)') }} as engagement_score,
        coalesce(stage.buying_stage, 'awareness') as buying_stage,
        models.fit_weight, models.engagement_weight,
        -- BANT (docs/scoring.md): a "no" budget or timeline is not a signal; a stated non-decision role
        -- ('none') keeps a lead from hot; a budget holder with a real budget is at least warm
        case
            when
                leads.stated_need is not null and leads.has_budget and leads.has_timeline
                and coalesce(leads.stated_authority, '') <> 'none'
                then 'hot'
            when leads.stated_need is not null then 'warm'
            when leads.has_budget and leads.stated_authority in ('decision_maker', 'budget_holder') then 'warm'
        end as bant_temperature,
        suppression.suppression_reason
    from leads
    cross join models
    left join fit_scores as fit
        on fit.lead_id = leads.lead_id and fit.model_id = models.model_id
    left join engagement
        on engagement.lead_id = leads.lead_id and engagement.model_id = models.model_id
    left join buying_stages as stage
        on stage.lead_id = leads.lead_id and stage.model_id = models.model_id
    left join suppressions as suppression
        on suppression.lead_id = leads.lead_id and suppression.model_id = models.model_id
),

fit_grades as (
    select
        scored.lead_id, scored.model_id, bands.band,
        row_number() over (partition by scored.lead_id, scored.model_id order by bands.min_score desc) as band_rank
    from scored
    inner join bands
        on bands.model_id = scored.model_id and bands.score_type = 'fit' and bands.min_score <= scored.fit_score
),

engagement_bands as (
    select
        scored.lead_id, scored.model_id, bands.band,
        row_number() over (partition by scored.lead_id, scored.model_id order by bands.min_score desc) as band_rank
    from scored
    inner join bands
        on
            bands.model_id = scored.model_id and bands.score_type = 'engagement'
            and bands.min_score <= scored.engagement_score
),

graded as (
    select scored.*, fit_grades.band as fit_grade, engagement_bands.band as engagement_band_text
    from scored
    left join fit_grades
        on
            fit_grades.lead_id = scored.lead_id and fit_grades.model_id = scored.model_id
            and fit_grades.band_rank = 1
    left join engagement_bands
        on
            engagement_bands.lead_id = scored.lead_id and engagement_bands.model_id = scored.model_id
            and engagement_bands.band_rank = 1
)

select
    graded.lead_id, graded.model_id, graded.model_version,
    graded.fit_score, graded.best_persona_id, graded.fit_grade,
    graded.profile_fit_score, graded.qualification_points,
    {{ scoring_points('graded.fit_completeness') }} as fit_completeness,
    graded.is_enriched,
    graded.engagement_score,
    cast(graded.engagement_band_text as integer) as engagement_band,
    graded.buying_stage,
    tiers.tier,
    case when graded.bant_temperature = 'hot' or tiers.temperature = 'hot' then 'hot'
        when graded.bant_temperature = 'warm' or tiers.temperature = 'warm' then 'warm'
        else 'cold'
    end as temperature,
    tiers.tier_rank,
    {{ scoring_points(round_half_up('graded.fit_weight * graded.fit_score + graded.engagement_weight * graded.engagement_score', 2)) }}
        as lead_score,
    graded.suppression_reason is not null as is_suppressed,
    graded.suppression_reason,
    {{ scoring_as_of() }} as scored_at
from graded
left join tier_matrix as tiers
    on
        tiers.model_id = graded.model_id and tiers.fit_grade = graded.fit_grade
        and tiers.engagement_band = cast(graded.engagement_band_text as integer)

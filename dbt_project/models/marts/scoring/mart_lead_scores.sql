-- One row per lead per scoring model: fit, engagement, buying stage, tier, temperature, lead score,
-- suppression. Every parameter comes from the scoring_* seeds; docs/scoring.md explains the logic.
with models as (
    select model_id, model_version, fit_weight, engagement_weight from {{ ref('scoring_models') }}
),

leads as (
    select
        lead_id, is_enriched, stated_need, stated_authority,
        {{ bant_is_positive('stated_budget') }} as has_budget,
        {{ bant_is_positive('stated_timeline') }} as has_timeline
    from {{ ref('dim_leads') }}
),

engagement as (
    select lead_id, model_id, sum(points) as engagement_score
    from {{ ref('int_scoring_engagement__contributions') }}
    group by lead_id, model_id
),

bands as (
    select model_id, score_type, band, min_score from {{ ref('scoring_score_bands') }}
),

scored as (
    select
        l.lead_id, m.model_id, m.model_version,
        {{ scoring_points('coalesce(f.fit_score, 0)') }} as fit_score,
        f.best_persona_id,
        f.fit_completeness,
        coalesce(l.is_enriched, false) as is_enriched,
        {{ scoring_points('coalesce(e.engagement_score, 0)') }} as engagement_score,
        coalesce(b.buying_stage, 'awareness') as buying_stage,
        m.fit_weight, m.engagement_weight,
        -- BANT (docs/scoring.md): a "no" budget or timeline is not a signal; a stated non-decision role
        -- ('none') keeps a lead from hot; a budget holder with a real budget is at least warm
        case when l.stated_need is not null and l.has_budget and l.has_timeline
                and coalesce(l.stated_authority, '') <> 'none'
                then 'hot'
            when l.stated_need is not null then 'warm'
            when l.has_budget and l.stated_authority in ('decision_maker', 'budget_holder') then 'warm'
        end as bant_temperature,
        s.suppression_reason
    from leads as l
    cross join models as m
    left join {{ ref('int_scoring_fit__scores') }} as f on f.lead_id = l.lead_id and f.model_id = m.model_id
    left join engagement as e on e.lead_id = l.lead_id and e.model_id = m.model_id
    left join {{ ref('int_scoring_engagement__buying_stage') }} as b
        on b.lead_id = l.lead_id and b.model_id = m.model_id
    left join {{ ref('int_scoring__suppression') }} as s on s.lead_id = l.lead_id and s.model_id = m.model_id
),

fit_grades as (
    select
        s.lead_id, s.model_id, b.band,
        row_number() over (partition by s.lead_id, s.model_id order by b.min_score desc) as band_rank
    from scored as s
    inner join bands as b on b.model_id = s.model_id and b.score_type = 'fit' and b.min_score <= s.fit_score
),

engagement_bands as (
    select
        s.lead_id, s.model_id, b.band,
        row_number() over (partition by s.lead_id, s.model_id order by b.min_score desc) as band_rank
    from scored as s
    inner join bands as b
        on b.model_id = s.model_id and b.score_type = 'engagement' and b.min_score <= s.engagement_score
),

graded as (
    select scored.*, fg.band as fit_grade, eb.band as engagement_band_text
    from scored
    left join fit_grades as fg
        on fg.lead_id = scored.lead_id and fg.model_id = scored.model_id and fg.band_rank = 1
    left join engagement_bands as eb
        on eb.lead_id = scored.lead_id and eb.model_id = scored.model_id and eb.band_rank = 1
)

select
    g.lead_id, g.model_id, g.model_version,
    g.fit_score, g.best_persona_id, g.fit_grade,
    {{ scoring_points('g.fit_completeness') }} as fit_completeness,
    g.is_enriched,
    g.engagement_score,
    cast(g.engagement_band_text as integer) as engagement_band,
    g.buying_stage,
    t.tier,
    case when g.bant_temperature = 'hot' or t.temperature = 'hot' then 'hot'
        when g.bant_temperature = 'warm' or t.temperature = 'warm' then 'warm'
        else 'cold'
    end as temperature,
    t.tier_rank,
    {{ scoring_points('round(g.fit_weight * g.fit_score + g.engagement_weight * g.engagement_score, 2)') }}
        as lead_score,
    g.suppression_reason is not null as is_suppressed,
    g.suppression_reason,
    {{ scoring_as_of() }} as scored_at
from graded as g
left join {{ ref('scoring_tier_matrix') }} as t
    on t.model_id = g.model_id and t.fit_grade = g.fit_grade
        and t.engagement_band = cast(g.engagement_band_text as integer)

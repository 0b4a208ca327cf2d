-- One row per lead x model x rule that fired, with its points: the rows of a lead and score type
-- add up exactly to its score (cap and clamp adjustments are rows of their own).
-- Fit rows are those of the lead's best persona.
with fit_rule_hits as (
    select * from {{ ref('int_scoring_fit__rule_hits') }}
),

fit_scores as (
    select * from {{ ref('int_scoring_fit__scores') }}
),

engagement_contributions as (
    select * from {{ ref('int_scoring_engagement__contributions') }}
),

fit_hits as (
    select
        hits.lead_id, hits.model_id, 'fit' as score_type, hits.rule_id, hits.points,
        'persona ' || hits.persona_id || ': ' || hits.detail as detail
    from fit_rule_hits as hits
    inner join fit_scores
        on
            fit_scores.lead_id = hits.lead_id
            and fit_scores.model_id = hits.model_id
            and fit_scores.best_persona_id = hits.persona_id
),

fit_clamp as (
    select
        lead_id, model_id, 'fit' as score_type,
        case when fit_points < 0 then 'clamp:floor' else 'clamp:ceiling' end as rule_id,
        {{ scoring_points('fit_score - fit_points') }} as points,
        'fit clamped to 0-100 (raw ' || cast(fit_points as {{ dbt.type_string() }}) || ')' as detail
    from fit_scores
    where fit_points <> fit_score
),

engagement as (
    select lead_id, model_id, 'engagement' as score_type, rule_id, points, detail
    from engagement_contributions
),

all_rows as (
    select * from fit_hits
    union all
    select * from fit_clamp
    union all
    select * from engagement
)

select
    {{ dbt.hash("lead_id || '|' || model_id || '|' || score_type || '|' || rule_id") }} as explanation_id,
    lead_id, model_id, score_type, rule_id, {{ scoring_points('points') }} as points, detail
from all_rows

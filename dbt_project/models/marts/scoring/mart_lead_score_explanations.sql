-- One row per lead x model x rule that fired, with its points: the rows of a lead and score type
-- add up exactly to its score (cap and clamp adjustments are rows of their own).
-- Fit rows are those of the lead's best persona.
with fit_hits as (
    select
        h.lead_id, h.model_id, 'fit' as score_type, h.rule_id, h.points,
        'persona ' || h.persona_id || ': ' || h.detail as detail
    from {{ ref('int_scoring_fit__rule_hits') }} as h
    inner join {{ ref('int_scoring_fit__scores') }} as f
        on f.lead_id = h.lead_id and f.model_id = h.model_id and f.best_persona_id = h.persona_id
),

fit_clamp as (
    select
        lead_id, model_id, 'fit' as score_type,
        case when fit_points < 0 then 'clamp:floor' else 'clamp:ceiling' end as rule_id,
        {{ scoring_points('fit_score - fit_points') }} as points,
        'fit clamped to 0-100 (raw ' || cast(fit_points as {{ dbt.type_string() }}) || ')' as detail
    from {{ ref('int_scoring_fit__scores') }}
    where fit_points <> fit_score
),

engagement as (
    select lead_id, model_id, 'engagement' as score_type, rule_id, points, detail
    from {{ ref('int_scoring_engagement__contributions') }}
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

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

profile_hits as (
    -- the profile part: the profile rules of the persona the profile alone fits best
    select
        hits.lead_id, hits.model_id, 'fit' as score_type, hits.rule_id, hits.points,
        'persona ' || hits.persona_id || ': ' || hits.detail as detail, 'profile' as fit_part
    from fit_rule_hits as hits
    inner join fit_scores
        on
            fit_scores.lead_id = hits.lead_id
            and fit_scores.model_id = hits.model_id
            and fit_scores.profile_persona_id = hits.persona_id
    where hits.attribute not in ('{{ scoring_qualification_attributes() | join("', '") }}')
),

profile_clamp as (
    select
        lead_id, model_id, 'fit' as score_type, 'clamp:profile' as rule_id,
        {{ scoring_points('profile_fit_score - profile_fit_points') }} as points,
        'profile fit clamped to 0-100 (raw ' || cast(profile_fit_points as {{ dbt.type_string() }}) || ')'
            as detail,
        'profile' as fit_part
    from fit_scores
    where profile_fit_points <> profile_fit_score
),

qualification_hits as (
    -- the qualification part: form answers / origin rules of the best persona
    select
        hits.lead_id, hits.model_id, 'fit' as score_type, hits.rule_id, hits.points,
        'persona ' || hits.persona_id || ': ' || hits.detail as detail, 'qualification' as fit_part
    from fit_rule_hits as hits
    inner join fit_scores
        on
            fit_scores.lead_id = hits.lead_id
            and fit_scores.model_id = hits.model_id
            and fit_scores.best_persona_id = hits.persona_id
    where hits.attribute in ('{{ scoring_qualification_attributes() | join("', '") }}')
),

qualification_sums as (
    select lead_id, model_id, sum(points) as points from qualification_hits group by lead_id, model_id
),

fit_adjust as (
    -- what the qualification rules do beyond their own points: a switch to another persona, the 0-100 clamp
    select
        fit_scores.lead_id, fit_scores.model_id, 'fit' as score_type,
        case
            when fit_scores.best_persona_id <> fit_scores.profile_persona_id then 'persona:switch'
            when fit_scores.fit_points < 0 then 'clamp:floor'
            else 'clamp:ceiling'
        end as rule_id,
        {{ scoring_points('fit_scores.qualification_points - coalesce(qualification_sums.points, 0)') }} as points,
        case
            when fit_scores.best_persona_id <> fit_scores.profile_persona_id
                then 'with the qualification rules persona ' || fit_scores.best_persona_id
                    || ' fits best (profile alone: ' || fit_scores.profile_persona_id || '); fit '
                    || cast(fit_scores.fit_score as {{ dbt.type_string() }})
            else 'fit clamped to 0-100 (raw ' || cast(fit_scores.fit_points as {{ dbt.type_string() }}) || ')'
        end as detail,
        'qualification' as fit_part
    from fit_scores
    left join qualification_sums
        on qualification_sums.lead_id = fit_scores.lead_id and qualification_sums.model_id = fit_scores.model_id
    where fit_scores.qualification_points <> coalesce(qualification_sums.points, 0)
),

engagement as (
    select
        lead_id, model_id, 'engagement' as score_type, rule_id, points, detail,
        cast(null as {{ dbt.type_string() }}) as fit_part
    from engagement_contributions
),

all_rows as (
    select * from profile_hits
    union all
    select * from profile_clamp
    union all
    select * from qualification_hits
    union all
    select * from fit_adjust
    union all
    select * from engagement
)

select
    {{ dbt.hash("lead_id || '|' || model_id || '|' || score_type || '|' || rule_id") }} as explanation_id,
    lead_id, model_id, score_type, rule_id, {{ scoring_points('points') }} as points, detail, fit_part
from all_rows

-- Why each lead scored as it did (champion model): one row per rule that fired, ranked by how much it
-- moved the score. The rows of a lead and score type sum to its score.
with explanations as (
    select * from {{ ref('mart_lead_score_explanations') }}
),

champion as (
    select model_id from {{ ref('scoring_models') }} where is_champion
)

select
    explanations.explanation_id as reason_id,
    explanations.lead_id,
    explanations.score_type,
    explanations.rule_id,
    explanations.points,
    explanations.detail,
    cast(row_number() over (
        partition by explanations.lead_id
        order by abs(explanations.points) desc, explanations.rule_id
    ) as integer) as reason_rank
from explanations
inner join champion on champion.model_id = explanations.model_id

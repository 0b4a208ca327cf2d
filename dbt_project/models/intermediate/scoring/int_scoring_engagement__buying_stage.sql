-- One row per lead x model that has engagement: the furthest buying stage its recent signals reach.
-- Stage s is reached when the decayed points of signals of stage s or later, within the stage's
-- window, reach its min_points (seeds/scoring_buying_stages.csv).
with stages as (
    select model_id, buying_stage, stage_order, min_points, window_days
    from {{ ref('scoring_buying_stages') }}
),

signal_points as (
    select
        e.lead_id, e.model_id, s.buying_stage, s.stage_order, s.min_points,
        sum(e.decayed_points) as stage_points
    from {{ ref('int_scoring_engagement__events') }} as e
    inner join stages as signal_stage
        on signal_stage.model_id = e.model_id and signal_stage.buying_stage = e.buying_stage
    inner join stages as s
        on s.model_id = e.model_id and signal_stage.stage_order >= s.stage_order
    where e.points > 0 and e.age_days <= s.window_days
    group by e.lead_id, e.model_id, s.buying_stage, s.stage_order, s.min_points
),

ranked as (
    select
        signal_points.*,
        row_number() over (partition by lead_id, model_id order by stage_order desc) as stage_rank
    from signal_points
    where stage_points >= min_points
)

select lead_id, model_id, buying_stage, stage_points
from ranked
where stage_rank = 1

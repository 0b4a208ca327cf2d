-- One row per lifecycle stage change seen by the snapshot snap_lead_state: from, to, when, and
-- how long the lead spent in the previous stage. The first version of a lead has from_stage null.
with lead_states as (
    select * from {{ ref('snap_lead_state') }}
),

lifecycle_stages as (
    select * from {{ ref('lifecycle_stages') }}
),

versions as (
    select
        dbt_scd_id, lead_id, lifecycle_stage, stage_entered_at, dbt_valid_from,
        lag(lifecycle_stage) over (partition by lead_id order by dbt_valid_from) as from_stage,
        lag(stage_entered_at) over (partition by lead_id order by dbt_valid_from) as from_stage_entered_at
    from lead_states
),

changes as (
    select * from versions
    where from_stage is null or from_stage <> lifecycle_stage
)

select
    changes.dbt_scd_id as transition_id,
    changes.lead_id,
    changes.from_stage,
    changes.lifecycle_stage as to_stage,
    changes.stage_entered_at as transitioned_at,
    changes.from_stage_entered_at,
    cast(
        {{ dbt.datediff('changes.from_stage_entered_at', 'changes.stage_entered_at', 'second') }} / 86400e0
        as {{ scoring_points_type() }}
    ) as days_in_previous_stage,
    coalesce(
        changes.lifecycle_stage = 'recycled'
        or (to_stage.stage_order < from_stage.stage_order and changes.lifecycle_stage <> 'disqualified'),
        false
    ) as is_regression,
    changes.dbt_valid_from as recorded_at
from changes
left join lifecycle_stages as to_stage on to_stage.lifecycle_stage = changes.lifecycle_stage
left join lifecycle_stages as from_stage on from_stage.lifecycle_stage = changes.from_stage

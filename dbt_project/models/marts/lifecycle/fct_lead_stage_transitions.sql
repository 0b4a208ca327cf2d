-- One row per lifecycle stage change seen by the snapshot snap_lead_state: from, to, when, and
-- how long the lead spent in the previous stage. The first version of a lead has from_stage null.
with versions as (
    select
        dbt_scd_id, lead_id, lifecycle_stage, stage_entered_at, dbt_valid_from,
        lag(lifecycle_stage) over (partition by lead_id order by dbt_valid_from) as from_stage,
        lag(stage_entered_at) over (partition by lead_id order by dbt_valid_from) as from_stage_entered_at
    from {{ ref('snap_lead_state') }}
),

changes as (
    select * from versions
    where from_stage is null or from_stage <> lifecycle_stage
)

select
    c.dbt_scd_id as transition_id,
    c.lead_id,
    c.from_stage,
    c.lifecycle_stage as to_stage,
    c.stage_entered_at as transitioned_at,
    c.from_stage_entered_at,
    cast(                    {{ dbt.datediff('c.from_stage_entered_at', 'c.stage_entered_at', 'second') }} / 86400.0
        as {{ scoring_points_type() }}
    ) as days_in_previous_stage,
    coalesce(
        c.lifecycle_stage = 'recycled' or (t.stage_order < f.stage_order and c.lifecycle_stage <> 'disqualified'),
        false
    ) as is_regression,
    c.dbt_valid_from as recorded_at
from changes as c
left join {{ ref('lifecycle_stages') }} as t on t.lifecycle_stage = c.lifecycle_stage
left join {{ ref('lifecycle_stages') }} as f on f.lifecycle_stage = c.from_stage

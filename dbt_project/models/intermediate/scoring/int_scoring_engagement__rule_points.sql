{{ config(materialized='table') }}
-- One row per lead x model x engagement rule that fired: decayed points after the per-day cap.
-- A day's points of one rule are scaled down so that their undecayed total stays within cap_per_day.
with days as (
    select
        lead_id, model_id, rule_id, category, occurred_on,
        max(cap_per_day) as cap_per_day,
        max(half_life_days) as half_life_days,
        count(*) as n_events,
        sum(points) as raw_points,
        sum(decayed_points) as decayed_points,
        max(occurred_at) as last_at
    from {{ ref('int_scoring_engagement__events') }}
    group by lead_id, model_id, rule_id, category, occurred_on
),

capped as (
    select
        days.*,
        case when cap_per_day is not null and abs(raw_points) > cap_per_day
                then cap_per_day / abs(raw_points)
            else 1.0
        end as cap_factor
    from days
)

select
    lead_id, model_id, rule_id, category,
    {{ scoring_points('sum(decayed_points * cap_factor)') }} as points,
    sum(n_events) as n_events,
    count(*) as n_days,
    sum(case when cap_factor < 1 then 1 else 0 end) as n_capped_days,
    max(half_life_days) as half_life_days,
    max(last_at) as last_at
from capped
group by lead_id, model_id, rule_id, category

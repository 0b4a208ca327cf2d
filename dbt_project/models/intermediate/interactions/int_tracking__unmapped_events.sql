-- Track event names that neither the tracking plan (seeds/tracking_plan.csv) nor the click pattern
-- maps to a signal, with their counts: candidates for a new row of the plan. Reported in the run summary.

with events as (

    select * from {{ ref('int_interactions__track_events') }}
    where mapped_by = 'unmapped'

)

select
    coalesce(event_name, '(no name)') as event_name,
    count(*) as events,
    min(occurred_at) as first_seen_at,
    max(occurred_at) as last_seen_at
from events
group by 1

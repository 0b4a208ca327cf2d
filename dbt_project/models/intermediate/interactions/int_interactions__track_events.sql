-- Every Segment track call with the signal the tracking plan (seeds/tracking_plan.csv) gives its event
-- name: an interaction type (form_submission with a form type, or cta_click), `ignore`, or nothing.
-- Names not in the plan that look like a click (cta|click|button) stay CTA clicks; the rest are
-- unmapped: not interactions, reported with their counts (int_tracking__unmapped_events).

with tracks as (

    select * from {{ ref('stg_segment__web_events') }}
    where event_type = 'track'

),

plan as (

    select
        {{ track_event_key('event_name') }} as event_key,
        min(interaction_type) as interaction_type,
        min(signal) as signal
    from {{ ref('tracking_plan') }}
    group by 1

)

select
    tracks.message_id,
    tracks.event_name,
    {{ track_event_key('tracks.event_name') }} as event_key,
    case
        when plan.interaction_type = 'ignore' then cast(null as {{ dbt.type_string() }})
        when plan.interaction_type is not null then plan.interaction_type
        when {{ regex_matches("lower(coalesce(tracks.event_name, ''))", '(cta|click|button)') }} then 'cta_click'
    end as interaction_type,
    case when plan.interaction_type = 'form_submission' then plan.signal end as form_type,
    case
        when plan.interaction_type = 'ignore' then 'ignored'
        when plan.interaction_type is not null then 'tracking_plan'
        when {{ regex_matches("lower(coalesce(tracks.event_name, ''))", '(cta|click|button)') }} then 'name_pattern'
        else 'unmapped'
    end as mapped_by,
    tracks.occurred_at,
    tracks.loaded_at
from tracks
left join plan
    on {{ track_event_key('tracks.event_name') }} = plan.event_key

-- A table, not a view: several models and tests read it, and stitching is recomputed in full each run.
{{ config(materialized='table') }}

-- Web activity (page and track calls) cut into sessions per visitor: a new session starts when
-- var('inactivity_cutoff_seconds') or more passed since the visitor's previous event.
-- session_id = md5(visitor_id || '-' || session_number) (docs/formats.md §6.2).

with events as (

    select
        message_id,
        coalesce(anonymous_id, 'user:' || user_id) as visitor_id,
        anonymous_id,
        event_type,
        event_name,
        occurred_at,
        page_path,
        page_url,
        page_referrer,
        utm_source,
        utm_medium,
        utm_campaign,
        is_bot
    from {{ ref('stg_segment__web_events') }}
    where event_type in ('page', 'track')

),

gaps as (

    select
        *,
        {{ dbt.datediff(
            'lag(occurred_at) over (partition by visitor_id order by occurred_at, message_id)',
            'occurred_at', 'second') }} as seconds_since_previous
    from events

),

flagged as (

    select
        *,
        case when seconds_since_previous is null
                or seconds_since_previous >= {{ var('inactivity_cutoff_seconds') }} then 1
            else 0
        end as is_new_session_flag
    from gaps

),

numbered as (

    select
        *,
        sum(is_new_session_flag)
            over (partition by visitor_id order by occurred_at, message_id rows between unbounded preceding and current row) as session_number
    from flagged

)

select
    message_id,
    visitor_id,
    anonymous_id,
    event_type,
    event_name,
    occurred_at,
    page_path,
    page_url,
    page_referrer,
    utm_source,
    utm_medium,
    utm_campaign,
    is_bot,
    seconds_since_previous,
    is_new_session_flag = 1 as is_session_start,
    session_number,
    {{ dbt.hash("visitor_id || '-' || cast(session_number as " ~ dbt.type_string() ~ ")") }} as session_id
from numbered

-- Incremental: a run recomputes the sessions of the visitors with web activity loaded since the
-- table's high-water mark only (every event of those visitors, so a late event that splits or joins
-- a session renumbers it), and replaces their rows (delete+insert on visitor_id). A visitor's
-- sessions depend on their own events alone, so a full refresh gives the same rows (tested).
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='visitor_id',
        on_schema_change='append_new_columns',
        meta={'test_scope_column': 'loaded_at'}
    )
}}

-- Web activity (page and track calls) cut into sessions per visitor: a new session starts when
-- var('inactivity_cutoff_seconds') or more passed since the visitor's previous event.
-- session_id = md5(visitor_id || '-' || session_number) (docs/formats.md §6.2).

with web_activity as (

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
        is_bot,
        loaded_at
    from {{ ref('stg_segment__web_events') }}
    where event_type in ('page', 'track')

),

events as (

    select * from web_activity
    {% if is_incremental() %}
    where visitor_id in (
        -- read from staging, not from web_activity: a CTE read twice is materialized whole
        select coalesce(new.anonymous_id, 'user:' || new.user_id) as visitor_id
        from {{ ref('stg_segment__web_events') }} as new
        where new.event_type in ('page', 'track')
            and new.loaded_at > (select coalesce(max(loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }})
    )
    {% endif %}

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
    {{ dbt.hash("visitor_id || '-' || cast(session_number as " ~ dbt.type_string() ~ ")") }} as session_id,
    loaded_at
from numbered

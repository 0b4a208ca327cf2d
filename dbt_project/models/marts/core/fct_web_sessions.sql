{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='visitor_id',
        on_schema_change='append_new_columns',
        meta={'test_scope_column': 'loaded_at'}
    )
}}
-- depends_on: {{ ref('int_identity__user_ids') }}
-- One row per web session (30-minute inactivity cut-off, int_sessions__page_views), with its landing
-- page, first-touch UTM and referrer, size, duration and the stitched lead when known.
--
-- Incremental: a run recomputes the sessions of the visitors whose sessions or lead may have changed
-- since the table's high-water mark max(inputs_loaded_at) (macro web_visitors_to_recompute, as
-- int_interactions__web) and replaces ALL their rows (delete+insert on visitor_id: a late event
-- that joins two sessions leaves one). A full refresh gives the same rows (tested).

with activity as (

    select * from {{ ref('int_sessions__page_views') }}
    {% if is_incremental() %}
    where visitor_id in (
        {{ web_visitors_to_recompute(web_high_water_mark()) }}
    )
    {% endif %}

),

first_events as (

    -- a session's first event (by occurred_at, message_id) is the one that started it
    select * from activity
    where is_session_start

),

aggregated as (

    select
        session_id,
        min(visitor_id) as visitor_id,
        min(anonymous_id) as anonymous_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        cast(sum(case when event_type = 'page' then 1 else 0 end) as {{ dbt.type_int() }}) as page_count,
        count(*) as event_count,
        max(case when is_bot then 1 else 0 end) = 1 as is_bot,
        max(loaded_at) as loaded_at
    from activity
    group by session_id

),

user_leads as (

    select
        coalesce(anonymous_id, 'user:' || user_id) as visitor_id,
        {{ latest_value(lead_id('user_id_email'), 'occurred_at') }} as lead_id
    from {{ ref('stg_segment__web_events') }}
    where user_id_email is not null
    group by coalesce(anonymous_id, 'user:' || user_id)

)

select
    aggregated.session_id,
    aggregated.anonymous_id,
    coalesce(stitched.lead_id, user_leads.lead_id) as lead_id,
    aggregated.started_at,
    aggregated.ended_at,
    {{ dbt.datediff('aggregated.started_at', 'aggregated.ended_at', 'second') }} as duration_seconds,
    aggregated.page_count,
    coalesce(landing.page_path, first_page.page_path) as landing_page,
    landing.utm_source,
    landing.utm_medium,
    landing.utm_campaign,
    landing.page_referrer as referrer,
    aggregated.is_bot,
    aggregated.visitor_id,
    aggregated.event_count,
    {{ channel('landing.utm_medium', 'landing.utm_source', 'landing.page_referrer') }} as channel,
    aggregated.loaded_at,
    greatest(
        aggregated.loaded_at, coalesce(stitched.last_edge_loaded_at, aggregated.loaded_at)
    ) as inputs_loaded_at
from aggregated
inner join first_events as landing
    on aggregated.session_id = landing.session_id
left join (
    select session_id, page_path, row_number() over (partition by session_id order by occurred_at, message_id) as page_rank
    from activity
    where event_type = 'page'
) as first_page
    on aggregated.session_id = first_page.session_id
        and first_page.page_rank = 1
left join {{ ref('int_identity__anonymous_to_lead') }} as stitched
    on aggregated.anonymous_id = stitched.anonymous_id
left join user_leads
    on aggregated.visitor_id = user_leads.visitor_id

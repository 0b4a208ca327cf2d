{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='interaction_id',
        on_schema_change='append_new_columns',
        meta={'test_scope_column': 'loaded_at'}
    )
}}
-- Incremental: a run recomputes every web event of the visitors whose rows may have changed since
-- the table's high-water mark (new activity, a new identity edge of their anonymous id, a userId
-- newly linked to an email: macro web_visitors_to_recompute) and replaces those rows
-- (delete+insert on interaction_id). The mark is max(inputs_loaded_at): the latest load among the
-- rows' inputs (web events, identity edges of every source, userId links), so edges loaded after
-- the web events of the same batch are not taken for new. A full refresh gives the same rows (tested).

-- Page views and track calls with their session, content category and lead (null when the visitor is
-- unknown or on a shared device). A track call is an interaction when the tracking plan
-- (int_interactions__track_events) maps its name to a signal; unmapped names are not interactions.

with activity as (

    select * from {{ ref('int_sessions__page_views') }}
    {% if is_incremental() %}
    where visitor_id in (
        {{ web_visitors_to_recompute(web_high_water_mark()) }}
    )
    {% endif %}

),

web as (

    select message_id, user_id, user_id_email, loaded_at from {{ ref('stg_segment__web_events') }}

),

tracks as (

    select * from {{ ref('int_interactions__track_events') }}

),

user_ids as (

    select * from {{ ref('int_identity__user_ids') }}

),

categories as (

    select * from {{ ref('content_categories') }}

),

page_paths as (

    -- the categories are matched once per distinct path (a prefix match: no equi-join), not per page view
    select distinct page_path
    from activity
    where event_type = 'page'

),

path_categories as (

    select
        {{ null_safe_key('page_paths.page_path') }} as path_key,
        categories.content_category,
        row_number() over (
            partition by page_paths.page_path
            order by length(categories.path_prefix) desc, categories.priority
        ) as match_rank
    from page_paths
    inner join categories
        on categories.path_prefix = '/'
            or page_paths.page_path = categories.path_prefix
            or page_paths.page_path like categories.path_prefix || '/%'
            or page_paths.page_path like categories.path_prefix || '?%'

),

categorised as (

    select
        activity.message_id,
        path_categories.content_category
    from activity
    inner join path_categories
        on path_categories.path_key = {{ null_safe_key('activity.page_path') }}
            and path_categories.match_rank = 1
    where activity.event_type = 'page'

)

select
    {{ dbt.hash("'web:' || activity.message_id") }} as interaction_id,
    -- an event carrying an email userId belongs to that lead, then one whose userId an identify linked
    -- to an email (server-side calls have no cookie); otherwise the stitched lead of its cookie
    coalesce({{ lead_id('web.user_id_email') }}, user_ids.lead_id, stitched.lead_id) as lead_id,
    activity.occurred_at,
    'web' as source,
    case when activity.event_type = 'page' then 'page_view' else tracks.interaction_type end as interaction_type,
    case when activity.event_type = 'page' then activity.page_path else activity.event_name end as interaction_detail,
    categorised.content_category,
    tracks.form_type,
    {{ channel('activity.utm_medium', 'activity.utm_source', 'activity.page_referrer') }} as channel,
    activity.utm_source,
    activity.utm_medium,
    activity.utm_campaign,
    activity.page_url as url,
    activity.anonymous_id,
    activity.session_id,
    false as is_machine_open,
    activity.is_bot,
    web.user_id_email is null and user_ids.lead_id is null and stitched.lead_id is not null as is_stitched,
    web.loaded_at,
    -- the latest load among what the row was computed from: the incremental high-water mark
    greatest(
        web.loaded_at,
        coalesce(stitched.last_edge_loaded_at, web.loaded_at),
        coalesce(user_ids.last_loaded_at, web.loaded_at)
    ) as inputs_loaded_at
from activity
inner join web
    on activity.message_id = web.message_id
left join {{ ref('int_identity__anonymous_to_lead') }} as stitched
    on activity.anonymous_id = stitched.anonymous_id
left join user_ids
    on web.user_id = user_ids.user_id
left join tracks
    on activity.message_id = tracks.message_id
left join categorised
    on activity.message_id = categorised.message_id
where activity.event_type = 'page'
    or tracks.interaction_type is not null

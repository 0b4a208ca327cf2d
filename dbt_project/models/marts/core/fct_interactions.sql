-- SKELETON (contract columns, no rows yet): replaced by the real model shortly.
select
    cast(null as varchar) as interaction_id, cast(null as varchar) as lead_id, cast(null as timestamp) as occurred_at,
    cast(null as varchar) as source, cast(null as varchar) as interaction_type, cast(null as varchar) as interaction_detail,
    cast(null as varchar) as content_category, cast(null as varchar) as form_type, cast(null as varchar) as channel,
    cast(null as varchar) as utm_source, cast(null as varchar) as utm_medium, cast(null as varchar) as utm_campaign,
    cast(null as varchar) as url, cast(null as varchar) as anonymous_id, cast(null as varchar) as session_id,
    cast(null as boolean) as is_machine_open, cast(null as boolean) as is_bot, cast(null as timestamp) as loaded_at
where false

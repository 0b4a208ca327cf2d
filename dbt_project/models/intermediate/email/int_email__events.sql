-- A table, not a view: the identity edges (twice), the interactions and four tests read it.
{{ config(materialized='table') }}

-- Email events as the interactions read them: one row per (provider, provider_event_id) (the
-- first arrival), each with its message's delivery time, machine opens and bot clicks flagged.

with events as (

    select * from {{ ref('stg_email__events') }}

),

deduplicated as (

    -- one row per (provider, provider_event_id): the first loaded (keys that arrived once are not ranked)
    {{ ranked_arrivals('events', ['provider', 'provider_event_id'], 'arrivals.loaded_at, arrivals.occurred_at') }}

),

with_delivery as (

    select
        *,
        min(case when event_type = 'delivered' then occurred_at end)
            over (partition by provider, message_id, email) as delivered_at
    from deduplicated
    where arrival_rank = 1

)

select
    email_event_id,
    provider,
    provider_event_id,
    message_id,
    email,
    event_type,
    source_event_name,
    occurred_at,
    url,
    url_ajs_uid,
    url_utm_source,
    url_utm_medium,
    url_utm_campaign,
    user_agent,
    ip,
    campaign,
    delivered_at,
    -- a provider's own flag, Apple's proxy, or an open within seconds of the delivery
    event_type = 'open' and (
        is_provider_machine_open
        or coalesce({{ regex_matches('lower(user_agent)', var('apple_proxy_user_agent_regex')) }}, false)
        or coalesce({{ dbt.datediff('delivered_at', 'occurred_at', 'second') }} between 0 and {{ var('machine_open_seconds_after_delivery') }}, false)
    ) as is_machine_open,
    coalesce(event_type = 'click' and {{ regex_matches('lower(user_agent)', var('bot_user_agent_regex')) }}, false) as is_bot,
    loaded_at
from with_delivery

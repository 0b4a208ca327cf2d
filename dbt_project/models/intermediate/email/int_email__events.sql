{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='email_event_id',
        on_schema_change='append_new_columns',
        meta={'test_scope_column': 'loaded_at'}
    )
}}
-- Email events as the interactions read them: one row per (provider, provider_event_id) (the
-- first arrival), each with its message's delivery time, machine opens and bot clicks flagged.
--
-- Incremental: a row depends on its own event and on the other events of its message to the same
-- address (the delivery time that flags machine opens), so a run recomputes the messages
-- (provider, message_id, email) with an event loaded after the table's mark, every event of them,
-- and replaces their rows (delete+insert on email_event_id). Staging holds one row per
-- (provider, provider_event_id) (raw is deduplicated on it at load), so no other row can change; a
-- full refresh gives the same rows (tested).

with events as (

    select * from {{ ref('stg_email__events') }}
    {% if is_incremental() %}
    where (provider, message_id, {{ null_safe_key('email') }}) in (
        -- read from staging, not from this CTE: a CTE read twice is materialized whole
        select new.provider, new.message_id, {{ null_safe_key('new.email') }}
        from {{ ref('stg_email__events') }} as new
        where new.loaded_at > (
            select coalesce(max(loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }}
        )
    )
    {% endif %}

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

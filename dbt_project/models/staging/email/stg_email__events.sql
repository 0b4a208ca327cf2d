{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        meta={'test_scope_column': 'loaded_at'},
        indexes=[{'columns': ['provider', 'provider_event_id']}]
    )
}}
{#- indexes: PostgreSQL (other engines ignore it); staging_unseen() looks every new key up. -#}
-- Email events of SendGrid, Mailgun and SES in one canonical SendGrid-like shape
-- (docs/formats.md §6.1), one row per raw row. The providers' JSON paths are read once, by
-- the ingestion (orchestration/ingestion/formats); machine opens and the dedupe are in
-- int_email__events. Incremental (macros/staging.sql): a run stages the raw rows of keys it has
-- not staged yet; raw is deduplicated on (provider, provider_event_id) at load.

with source as (

    -- raw_rows is read by staging_unseen() on incremental runs
    select * from {{ source('raw', 'email_events') }} as raw_rows  -- noqa: AL05
    where {{ staging_new_rows_window() }}
        and {{ staging_unseen(['provider', 'provider_event_id'], 'raw_rows') }}

),

mapped as (

    select
        provider,
        provider_event_id,
        message_id,
        email as raw_email,
        lower(event_name) as source_event_name,
        -- each provider's event names onto the canonical types
        case
            when provider = 'sendgrid'
                then
                    case lower(event_name)
                        when 'bounce' then case when lower(bounce_type) = 'blocked' then 'bounce_soft' else 'bounce_hard' end
                        when 'spamreport' then 'spam_report'
                        else lower(event_name)
                    end
            when provider = 'mailgun'
                then
                    case lower(event_name)
                        when 'accepted' then 'processed'
                        when 'delivered' then 'delivered'
                        when 'failed' then case when lower(bounce_type) = 'temporary' then 'bounce_soft' else 'bounce_hard' end
                        when 'opened' then 'open'
                        when 'clicked' then 'click'
                        when 'unsubscribed' then 'unsubscribe'
                        when 'complained' then 'spam_report'
                        else 'other'
                    end
            when provider = 'ses'
                then
                    case lower(event_name)
                        when 'send' then 'processed'
                        when 'delivery' then 'delivered'
                        when 'deliverydelay' then 'deferred'
                        when 'bounce' then case when bounce_type = 'Transient' then 'bounce_soft' else 'bounce_hard' end
                        when 'complaint' then 'spam_report'
                        when 'open' then 'open'
                        when 'click' then 'click'
                        when 'reject' then 'dropped'
                        when 'rendering failure' then 'dropped'
                        when 'subscription' then 'unsubscribe'
                        else 'other'
                    end
            else 'other'
        end as mapped_event_type,
        {{ to_utc('occurred_at') }} as occurred_at,
        url,
        user_agent,
        ip,
        campaign,
        coalesce(provider_machine_open, false) as is_provider_machine_open,
        {{ to_utc('_loaded_at') }} as loaded_at
    from source

)

select
    {{ dbt.hash("provider || ':' || provider_event_id") }} as email_event_id,
    provider,
    provider_event_id,
    coalesce(message_id, provider || ':' || provider_event_id) as message_id,
    {{ normalize_email('raw_email') }} as email,
    -- one list of canonical types (var email_event_types, dbt_project.yml): a name no
    -- mapping knows is 'other' (the staging_unmapped check warns), never a failed build
    case
        when mapped_event_type in ({% for t in var('email_event_types') %}'{{ t }}'{{ ', ' if not loop.last }}{% endfor %})
            then mapped_event_type
        else 'other'
    end as event_type,
    source_event_name,
    occurred_at,
    url,
    {{ url_param('url', 'ajs_uid') }} as url_ajs_uid,
    {{ url_param('url', 'utm_source') }} as url_utm_source,
    {{ url_param('url', 'utm_medium') }} as url_utm_medium,
    {{ url_param('url', 'utm_campaign') }} as url_utm_campaign,
    user_agent,
    ip,
    campaign,
    is_provider_machine_open,
    loaded_at
from mapped

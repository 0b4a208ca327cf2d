{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        meta={'test_scope_column': 'loaded_at'},
        indexes=[{'columns': ['message_id']}]
    )
}}
{#- indexes: PostgreSQL (other engines ignore it); staging_unseen() looks every new key up. -#}
-- Segment Spec messages, one row per messageId: typed, renamed, UTC event time, bot traffic flagged.

with source as (

    -- raw_rows is read by staging_unseen() on incremental runs
    select * from {{ source('raw', 'web_events') }} as raw_rows  -- noqa: AL05
    where {{ staging_new_rows_window() }}
        -- keys already staged are dropped before any column is derived (the final
        -- staging_unseen() drops the same keys; this makes a wide look-back window cheap)
        and {{ staging_unseen(['message_id'], 'raw_rows') }}

),

first_arrivals as (

    -- one row per messageId: the first received (a key that arrived once is not ranked)
    select *
    from (
        {{ ranked_arrivals('source', ['message_id'], 'arrivals.received_at, arrivals._loaded_at, arrivals._file') }}
    ) as ranked
    where arrival_rank = 1

),

renamed as (

    -- the JSON paths are read once, by the ingestion (orchestration/ingestion/formats/segment.py)
    select
        -- ids
        message_id,
        lower(event_type) as event_type,
        anonymous_id,
        user_id,
        previous_id,
        event_name,

        -- timestamps: timestamp, else originalTimestamp, else receivedAt (all to naive UTC)
        {{ to_utc('event_at') }} as occurred_at,
        {{ to_utc('received_at') }} as received_at,

        -- page
        page_url,
        page_path,
        page_referrer,
        page_title,

        -- campaign (context.campaign, else the URL's utm_ parameters)
        campaign_source,
        campaign_medium,
        campaign_name,

        -- client
        user_agent,
        ip,

        -- identify traits (camelCase or snake_case)
        traits_email,
        traits_given_name,
        traits_family_name,
        nullif(trim(traits_full_name), '') as traits_full_name,
        traits_job_title,
        traits_company_name,
        traits_company_size,
        traits_industry,
        traits_phone,
        traits_country,

        -- load metadata
        {{ to_utc('_loaded_at') }} as loaded_at,
        _file as source_file

    from first_arrivals

),

enriched as (

    select
        *,
        coalesce(campaign_source, {{ url_param('page_url', 'utm_source') }}) as utm_source,
        coalesce(campaign_medium, {{ url_param('page_url', 'utm_medium') }}) as utm_medium,
        coalesce(campaign_name, {{ url_param('page_url', 'utm_campaign') }}) as utm_campaign,
        {{ url_param('page_url', 'ajs_uid') }} as url_ajs_uid,
        {{ normalize_email('traits_email') }} as identified_email,
        -- Segment's reserved traits: firstName / lastName, else split the full `name` at its first space
        coalesce(traits_given_name, {{ dbt.split_part('traits_full_name', "' '", 1) }}) as traits_first_name,
        coalesce(
            traits_family_name,
            nullif(trim(substr(traits_full_name, length({{ dbt.split_part('traits_full_name', "' '", 1) }}) + 1)), '')
        ) as traits_last_name,
        {{ normalize_email('user_id') }} as user_id_email,
        coalesce({{ regex_matches('lower(user_agent)', var('bot_user_agent_regex')) }}, false) as is_bot
    from renamed

)

select
    message_id,
    event_type,
    event_name,
    anonymous_id,
    user_id,
    user_id_email,
    previous_id,
    occurred_at,
    received_at,
    page_url,
    page_path,
    page_referrer,
    page_title,
    utm_source,
    utm_medium,
    utm_campaign,
    url_ajs_uid,
    user_agent,
    ip,
    is_bot,
    identified_email,
    traits_first_name,
    traits_last_name,
    traits_job_title,
    traits_company_name,
    traits_company_size,
    traits_industry,
    traits_phone,
    traits_country,
    loaded_at
from enriched
where event_type in ('page', 'track', 'identify', 'alias')
    and {{ staging_unseen(['message_id'], 'enriched') }}

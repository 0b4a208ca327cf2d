{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns'
    )
}}
-- Segment Spec messages, one row per messageId: typed, renamed, UTC event time, bot traffic flagged.

with source as (

    select * from {{ source('raw', 'web_events') }}
    where {{ staging_new_rows_window() }}

),

renamed as (

    select
        -- ids
        message_id,
        lower(coalesce(event_type, {{ json_text('payload', '$.type') }})) as event_type,
        coalesce(anonymous_id, {{ json_text('payload', '$.anonymousId') }}) as anonymous_id,
        coalesce(user_id, {{ json_text('payload', '$.userId') }}) as user_id,
        {{ json_text('payload', '$.previousId') }} as previous_id,
        {{ json_text('payload', '$.event') }} as event_name,

        -- timestamps: timestamp, else originalTimestamp, else receivedAt (all to naive UTC)
        coalesce(
            {{ iso_to_utc(dbt.safe_cast(json_text('payload', '$.timestamp'), 'timestamp with time zone')) }},
            {{ iso_to_utc(dbt.safe_cast(json_text('payload', '$.originalTimestamp'), 'timestamp with time zone')) }},
            {{ iso_to_utc(dbt.safe_cast(json_text('payload', '$.receivedAt'), 'timestamp with time zone')) }},
            {{ to_utc('event_at') }}
        ) as occurred_at,
        coalesce(
            {{ iso_to_utc(dbt.safe_cast(json_text('payload', '$.receivedAt'), 'timestamp with time zone')) }},
            {{ to_utc('received_at') }}
        ) as received_at,

        -- page
        coalesce({{ json_text('payload', '$.properties.url') }}, {{ json_text('payload', '$.context.page.url') }}) as page_url,
        coalesce(
            {{ json_text('payload', '$.properties.path') }}, {{ json_text('payload', '$.context.page.path') }},
            {{ url_path(json_text('payload', '$.context.page.url')) }}
        ) as page_path,
        coalesce({{ json_text('payload', '$.properties.referrer') }}, {{ json_text('payload', '$.context.page.referrer') }}) as page_referrer,
        coalesce({{ json_text('payload', '$.properties.title') }}, {{ json_text('payload', '$.context.page.title') }}, {{ json_text('payload', '$.name') }}) as page_title,

        -- campaign (context.campaign, else the URL's utm_ parameters)
        {{ json_text('payload', '$.context.campaign.source') }} as campaign_source,
        {{ json_text('payload', '$.context.campaign.medium') }} as campaign_medium,
        {{ json_text('payload', '$.context.campaign.name') }} as campaign_name,

        -- client
        {{ json_text('payload', '$.context.userAgent') }} as user_agent,
        {{ json_text('payload', '$.context.ip') }} as ip,

        -- identify traits (camelCase or snake_case)
        coalesce({{ json_text('payload', '$.traits.email') }}, {{ json_text('payload', '$.context.traits.email') }}) as traits_email,
        coalesce({{ json_text('payload', '$.traits.firstName') }}, {{ json_text('payload', '$.traits.first_name') }}) as traits_given_name,
        coalesce({{ json_text('payload', '$.traits.lastName') }}, {{ json_text('payload', '$.traits.last_name') }}) as traits_family_name,
        nullif(trim({{ json_text('payload', '$.traits.name') }}), '') as traits_full_name,
        coalesce({{ json_text('payload', '$.traits.title') }}, {{ json_text('payload', '$.traits.job_title') }}, {{ json_text('payload', '$.traits.jobTitle') }}) as traits_job_title,
        coalesce({{ json_text('payload', '$.traits.company.name') }}, {{ json_text('payload', '$.traits.company_name') }}) as traits_company_name,
        coalesce({{ json_text('payload', '$.traits.company.employee_count') }}, {{ json_text('payload', '$.traits.company.employeeCount') }}, {{ json_text('payload', '$.traits.company_size') }}) as traits_company_size,
        coalesce({{ json_text('payload', '$.traits.company.industry') }}, {{ json_text('payload', '$.traits.industry') }}) as traits_industry,
        {{ json_text('payload', '$.traits.phone') }} as traits_phone,
        coalesce({{ json_text('payload', '$.traits.address.country') }}, {{ json_text('payload', '$.traits.country') }}) as traits_country,

        -- load metadata
        {{ to_utc('_loaded_at') }} as loaded_at,
        _file as source_file

    from source

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
        coalesce({{ regex_matches('lower(user_agent)', var('bot_user_agent_regex')) }}, false) as is_bot,
        row_number() over (partition by message_id order by received_at, loaded_at, source_file) as arrival_rank
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
where arrival_rank = 1
    and event_type in ('page', 'track', 'identify', 'alias')
    and {{ staging_unseen(['message_id'], 'enriched') }}

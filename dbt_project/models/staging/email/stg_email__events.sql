-- Email events of SendGrid, Mailgun and SES unioned into one canonical SendGrid-like shape
-- (docs/formats.md §6.1), one row per (provider, provider_event_id); machine opens flagged.

with source as (

    select * from {{ source('raw', 'email_events') }}

),

sendgrid as (

    select
        'sendgrid' as provider,
        provider_event_id,
        {{ json_text('payload', '$.sg_message_id') }} as message_id,
        coalesce(email, {{ json_text('payload', '$.email') }}) as raw_email,
        lower(coalesce(event_name, {{ json_text('payload', '$.event') }})) as source_event_name,
        case lower(coalesce(event_name, {{ json_text('payload', '$.event') }}))
            when 'bounce' then case when lower({{ json_text('payload', '$.type') }}) = 'blocked' then 'bounce_soft' else 'bounce_hard' end
            when 'spamreport' then 'spam_report'
            when 'group_resubscribe' then 'group_resubscribe'
            else lower(coalesce(event_name, {{ json_text('payload', '$.event') }}))
        end as mapped_event_type,
        coalesce({{ epoch_to_utc(json_text('payload', '$.timestamp')) }}, {{ to_utc('occurred_at') }}) as occurred_at,
        {{ json_text('payload', '$.url') }} as url,
        {{ json_text('payload', '$.useragent') }} as user_agent,
        {{ json_text('payload', '$.ip') }} as ip,
        coalesce(
            {{ json_text('payload', '$.marketing_campaign_name') }}, {{ json_text('payload', '$.category[0]') }},
            {{ json_text('payload', '$.category') }}
        ) as campaign,
        lower({{ json_text('payload', '$.sg_machine_open') }}) = 'true' as is_provider_machine_open,
        _loaded_at
    from source
    where provider = 'sendgrid'

),

mailgun as (

    select
        'mailgun' as provider,
        provider_event_id,
        coalesce(
            {{ json_text('payload', '$."event-data".message.headers."message-id"') }},
            {{ json_text('payload', '$.message.headers."message-id"') }}
        ) as message_id,
        coalesce(email, {{ json_text('payload', '$."event-data".recipient') }}, {{ json_text('payload', '$.recipient') }}) as raw_email,
        lower(coalesce(event_name, {{ json_text('payload', '$."event-data".event') }}, {{ json_text('payload', '$.event') }})) as source_event_name,
        case lower(coalesce(event_name, {{ json_text('payload', '$."event-data".event') }}, {{ json_text('payload', '$.event') }}))
            when 'accepted' then 'processed'
            when 'delivered' then 'delivered'
            when 'failed'
                then case when lower(coalesce({{ json_text('payload', '$."event-data".severity') }}, {{ json_text('payload', '$.severity') }})) = 'temporary'
                            then 'bounce_soft'
                        else 'bounce_hard'
                    end
            when 'opened' then 'open'
            when 'clicked' then 'click'
            when 'unsubscribed' then 'unsubscribe'
            when 'complained' then 'spam_report'
            else 'other'
        end as mapped_event_type,
        coalesce(
            {{ epoch_to_utc("coalesce(" ~ json_text('payload', '$."event-data".timestamp') ~ ", " ~ json_text('payload', '$.timestamp') ~ ")") }},
            {{ to_utc('occurred_at') }}
        ) as occurred_at,
        coalesce({{ json_text('payload', '$."event-data".url') }}, {{ json_text('payload', '$.url') }}) as url,
        coalesce({{ json_text('payload', '$."event-data"."client-info"."user-agent"') }}, {{ json_text('payload', '$."client-info"."user-agent"') }}) as user_agent,
        coalesce({{ json_text('payload', '$."event-data".ip') }}, {{ json_text('payload', '$.ip') }}) as ip,
        coalesce(
            {{ json_text('payload', '$."event-data"."user-variables".campaign') }}, {{ json_text('payload', '$."event-data".tags[0]') }},
            {{ json_text('payload', '$.tags[0]') }}
        ) as campaign,
        false as is_provider_machine_open,
        _loaded_at
    from source
    where provider = 'mailgun'

),

ses_messages as (

    -- SNS-wrapped (Message is a JSON string), EventBridge (detail) or the raw SES event
    select
        source.*,
        coalesce(
            {{ json_parse(json_text('payload', '$.Message')) }},
            {{ json_parse(json_text('payload', '$.detail')) }},
            payload
        ) as ses
    from source
    where provider = 'ses'

),

ses as (

    select
        'ses' as provider,
        provider_event_id,
        {{ json_text('ses', '$.mail.messageId') }} as message_id,
        coalesce(email, {{ json_text('ses', '$.mail.destination[0]') }}) as raw_email,
        lower(coalesce({{ json_text('ses', '$.eventType') }}, {{ json_text('ses', '$.notificationType') }}, event_name)) as source_event_name,
        case lower(coalesce({{ json_text('ses', '$.eventType') }}, {{ json_text('ses', '$.notificationType') }}, event_name))
            when 'send' then 'processed'
            when 'delivery' then 'delivered'
            when 'deliverydelay' then 'deferred'
            when 'bounce' then case when {{ json_text('ses', '$.bounce.bounceType') }} = 'Transient' then 'bounce_soft' else 'bounce_hard' end
            when 'complaint' then 'spam_report'
            when 'open' then 'open'
            when 'click' then 'click'
            when 'reject' then 'dropped'
            when 'rendering failure' then 'dropped'
            when 'subscription' then 'unsubscribe'
            else 'other'
        end as mapped_event_type,
        coalesce(
            {{ iso_to_utc(dbt.safe_cast(
                "coalesce(" ~ json_text('ses', '$.open.timestamp') ~ ", " ~ json_text('ses', '$.click.timestamp') ~ ", "
                ~ json_text('ses', '$.delivery.timestamp') ~ ", " ~ json_text('ses', '$.bounce.timestamp') ~ ", "
                ~ json_text('ses', '$.complaint.timestamp') ~ ")", 'timestamp with time zone')) }},
            {{ to_utc('occurred_at') }},
            {{ iso_to_utc(dbt.safe_cast(json_text('ses', '$.mail.timestamp'), 'timestamp with time zone')) }}
        ) as occurred_at,
        {{ json_text('ses', '$.click.link') }} as url,
        coalesce({{ json_text('ses', '$.open.userAgent') }}, {{ json_text('ses', '$.click.userAgent') }}) as user_agent,
        coalesce({{ json_text('ses', '$.open.ipAddress') }}, {{ json_text('ses', '$.click.ipAddress') }}) as ip,
        {{ json_text('ses', '$.mail.tags.campaign[0]') }} as campaign,
        false as is_provider_machine_open,
        _loaded_at
    from ses_messages

),

unioned as (

    select * from sendgrid
    union all
    select * from mailgun
    union all
    select * from ses

),

deduplicated as (

    select
        *,
        row_number() over (partition by provider, provider_event_id order by _loaded_at, occurred_at) as arrival_rank
    from unioned

),

normalised as (

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
        coalesce(is_provider_machine_open, false) as is_provider_machine_open,
        {{ to_utc('_loaded_at') }} as loaded_at
    from deduplicated
    where arrival_rank = 1

),

with_delivery as (

    select
        *,
        min(case when event_type = 'delivered' then occurred_at end)
            over (partition by provider, message_id, email) as delivered_at
    from normalised

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
    event_type = 'open' and (
        is_provider_machine_open
        or coalesce({{ regex_matches('lower(user_agent)', var('apple_proxy_user_agent_regex')) }}, false)
        or coalesce({{ dbt.datediff('delivered_at', 'occurred_at', 'second') }} between 0 and {{ var('machine_open_seconds_after_delivery') }}, false)
    ) as is_machine_open,
    coalesce(event_type = 'click' and {{ regex_matches('lower(user_agent)', var('bot_user_agent_regex')) }}, false) as is_bot,
    loaded_at
from with_delivery

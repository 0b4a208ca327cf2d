-- A table, not a view: several models and tests read it, and stitching is recomputed in full each run.
{{ config(materialized='table') }}

-- Interactions of the email, form, list and CRM sources in the fct_interactions taxonomy. All of them
-- carry an email, so their lead is direct (no stitching).

with email_events as (

    select
        {{ dbt.hash("'email:' || email_event_id") }} as interaction_id,
        {{ lead_id('email') }} as lead_id,
        occurred_at,
        'email' as source,
        case event_type
            when 'delivered' then 'email_delivered'
            when 'open' then 'email_open'
            when 'click' then 'email_click'
            when 'bounce_hard' then 'email_bounce_hard'
            when 'bounce_soft' then 'email_bounce_soft'
            when 'unsubscribe' then 'email_unsubscribe'
            when 'group_unsubscribe' then 'email_unsubscribe'
            when 'spam_report' then 'email_spam_report'
        end as interaction_type,
        campaign as interaction_detail,
        cast(null as {{ dbt.type_string() }}) as content_category,
        cast(null as {{ dbt.type_string() }}) as form_type,
        'email' as channel,
        coalesce(url_utm_source, provider) as utm_source,
        coalesce(url_utm_medium, 'email') as utm_medium,
        coalesce(url_utm_campaign, campaign) as utm_campaign,
        url,
        url_ajs_uid as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        is_machine_open,
        is_bot,
        false as is_stitched,
        loaded_at
    from {{ ref('stg_email__events') }}
    where email is not null
        and event_type in ('delivered', 'open', 'click', 'bounce_hard', 'bounce_soft', 'unsubscribe', 'group_unsubscribe', 'spam_report')

),

forms as (

    select
        {{ dbt.hash("'form:' || submissions.submission_id") }},
        {{ lead_id('submissions.email') }},
        submissions.submitted_at,
        'form',
        'form_submission',
        submissions.form_id,
        cast(null as {{ dbt.type_string() }}),
        form_types.form_type,
        {{ channel('submissions.utm_medium', 'submissions.utm_source', 'null') }},
        submissions.utm_source,
        submissions.utm_medium,
        submissions.utm_campaign,
        submissions.page_url,
        coalesce(submissions.anonymous_id, submissions.hutk),
        cast(null as {{ dbt.type_string() }}),
        false,
        false,
        false,
        submissions.loaded_at
    from {{ ref('stg_forms__submissions') }} as submissions
    -- the catalog's type, else the type the form's title suggests, else 'other' (never unscored)
    left join {{ ref('int_forms__form_types') }} as form_types
        on submissions.provider = form_types.provider
            and submissions.form_id = form_types.form_id
    where submissions.email is not null

),

lists as (

    select
        {{ dbt.hash("'list:' || list_member_id") }},
        {{ lead_id('email') }},
        imported_at,
        'list',
        'list_import',
        list_kind || ':' || list_name,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        'list',
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        false,
        false,
        false,
        loaded_at
    from {{ ref('stg_lead_lists__members') }}
    where email is not null

),

crm_created as (

    select
        {{ dbt.hash("'crm:' || opportunity_id || ':created'") }},
        {{ lead_id('email') }},
        created_at,
        'crm',
        'crm_activity',
        'opportunity_created',
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        'crm',
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        false,
        false,
        false,
        loaded_at
    from {{ ref('stg_crm__deals') }}
    where email is not null and created_at is not null

),

crm_closed as (

    select
        {{ dbt.hash("'crm:' || opportunity_id || ':closed'") }},
        {{ lead_id('email') }},
        closed_at,
        'crm',
        'crm_activity',
        case when is_won then 'opportunity_won' else 'opportunity_lost' end,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        'crm',
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_string() }}),
        false,
        false,
        false,
        loaded_at
    from {{ ref('stg_crm__deals') }}
    where email is not null and is_closed and closed_at is not null

)

select * from email_events
union all
select * from forms
union all
select * from lists
union all
select * from crm_created
union all
select * from crm_closed

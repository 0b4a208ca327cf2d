{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='interaction_id',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_where(this, \"source <> 'email'\") if is_incremental() else '' }}"
    )
}}
-- Interactions of the email, form, list and CRM sources in the fct_interactions taxonomy. All of them
-- carry an email, so their lead is direct (no stitching).
--
-- Incremental for email, the big source: a run takes the email events of the messages with an
-- event loaded after the table's newest email row (int_email__events recomputes those messages: a
-- late delivery flags an earlier open) and replaces their rows (delete+insert on interaction_id).
-- Forms (a form's type depends on its other submissions), lists and CRM deals (updated in place:
-- a deal can reopen) are small and taken whole: the pre-hook deletes their rows first. A full
-- refresh gives the same rows (tested).

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
    from {{ ref('int_email__events') }}
    where email is not null
        and event_type in ('delivered', 'open', 'click', 'bounce_hard', 'bounce_soft', 'unsubscribe', 'group_unsubscribe', 'spam_report')
    {% if is_incremental() %}
        and (provider, message_id, email) in (
            select new.provider, new.message_id, new.email
            from {{ ref('int_email__events') }} as new
            where new.loaded_at > (
                select coalesce(max(existing.loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
                from {{ this }} as existing
                where existing.source = 'email'
            )
        )
    {% endif %}

),

forms as (

    select
        {{ dbt.hash("'form:' || submissions.submission_id") }} as interaction_id,
        {{ lead_id('submissions.email') }} as lead_id,
        submissions.submitted_at as occurred_at,
        'form' as source,
        'form_submission' as interaction_type,
        submissions.form_id as interaction_detail,
        cast(null as {{ dbt.type_string() }}) as content_category,
        form_types.form_type,
        {{ channel('submissions.utm_medium', 'submissions.utm_source', 'null') }} as channel,
        submissions.utm_source,
        submissions.utm_medium,
        submissions.utm_campaign,
        submissions.page_url as url,
        coalesce(submissions.anonymous_id, submissions.hutk) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        false as is_machine_open,
        false as is_bot,
        false as is_stitched,
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
        {{ dbt.hash("'list:' || list_member_id") }} as interaction_id,
        {{ lead_id('email') }} as lead_id,
        imported_at as occurred_at,
        'list' as source,
        'list_import' as interaction_type,
        list_kind || ':' || list_name as interaction_detail,
        cast(null as {{ dbt.type_string() }}) as content_category,
        cast(null as {{ dbt.type_string() }}) as form_type,
        'list' as channel,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as url,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        false as is_machine_open,
        false as is_bot,
        false as is_stitched,
        loaded_at
    from {{ ref('stg_lead_lists__members') }}
    where email is not null

),

crm_created as (

    select
        {{ dbt.hash("'crm:' || opportunity_id || ':created'") }} as interaction_id,
        {{ lead_id('email') }} as lead_id,
        created_at as occurred_at,
        'crm' as source,
        'crm_activity' as interaction_type,
        'opportunity_created' as interaction_detail,
        cast(null as {{ dbt.type_string() }}) as content_category,
        cast(null as {{ dbt.type_string() }}) as form_type,
        'crm' as channel,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as url,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        false as is_machine_open,
        false as is_bot,
        false as is_stitched,
        loaded_at
    from {{ ref('stg_crm__deals') }}
    where email is not null and created_at is not null

),

crm_closed as (

    select
        {{ dbt.hash("'crm:' || opportunity_id || ':closed'") }} as interaction_id,
        {{ lead_id('email') }} as lead_id,
        closed_at as occurred_at,
        'crm' as source,
        'crm_activity' as interaction_type,
        case when is_won then 'opportunity_won' else 'opportunity_lost' end as interaction_detail,
        cast(null as {{ dbt.type_string() }}) as content_category,
        cast(null as {{ dbt.type_string() }}) as form_type,
        'crm' as channel,
        cast(null as {{ dbt.type_string() }}) as utm_source,
        cast(null as {{ dbt.type_string() }}) as utm_medium,
        cast(null as {{ dbt.type_string() }}) as utm_campaign,
        cast(null as {{ dbt.type_string() }}) as url,
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        cast(null as {{ dbt.type_string() }}) as session_id,
        false as is_machine_open,
        false as is_bot,
        false as is_stitched,
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

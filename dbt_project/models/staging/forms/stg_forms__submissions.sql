{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns'
    )
}}
-- Form submissions of HubSpot Forms v3, Typeform and urlencoded posts unioned into the canonical
-- HubSpot-like shape (docs/formats.md §6.1), one row per submission_id.

with source as (

    select * from {{ source('raw', 'form_submissions') }}
    where {{ staging_new_rows_window() }}

),

hubspot as (

    select
        submission_id,
        'hubspot' as provider,
        form_id,
        coalesce({{ to_utc('submitted_at') }}, {{ epoch_to_utc(dbt.safe_cast(json_text('payload', '$.submittedAt'), 'double precision') ~ ' / 1000.0') }}) as submitted_at,
        coalesce(email, {{ hubspot_form_field('email') }}) as raw_email,
        {{ hubspot_form_field('firstname') }} as first_name,
        {{ hubspot_form_field('lastname') }} as last_name,
        {{ hubspot_form_field('company') }} as company_name,
        {{ hubspot_form_field('jobtitle') }} as job_title,
        {{ hubspot_form_field('numemployees') }} as company_size,
        {{ hubspot_form_field('industry') }} as industry,
        {{ hubspot_form_field('country') }} as country,
        {{ hubspot_form_field('phone') }} as phone,
        lower({{ json_text('payload', '$.legalConsentOptions.consent.consentToProcess') }}) as consent_raw,
        lower({{ json_text('payload', '$.legalConsentOptions.consent.communications[0].value') }}) as opt_in_raw,
        {{ json_text('payload', '$.legalConsentOptions.consent.text') }} as consent_text,
        {{ json_text('payload', '$.context.pageUri') }} as page_url,
        {{ hubspot_form_field('utm_source') }} as hidden_utm_source,
        {{ hubspot_form_field('utm_medium') }} as hidden_utm_medium,
        {{ hubspot_form_field('utm_campaign') }} as hidden_utm_campaign,
        {{ hubspot_form_field('anonymous_id') }} as anonymous_id,
        {{ json_text('payload', '$.context.hutk') }} as hutk,
        {{ hubspot_form_field('budget') }} as stated_budget,
        coalesce({{ hubspot_form_field('timeline') }}, {{ hubspot_form_field('purchase_timeline') }}) as stated_timeline,
        coalesce({{ hubspot_form_field('need') }}, {{ hubspot_form_field('pain_point') }}) as stated_need,
        coalesce({{ hubspot_form_field('authority') }}, {{ hubspot_form_field('decision_role') }}) as stated_authority,
        {{ json_text('payload', '$.context.pageName') }} as form_title,
        _loaded_at
    from source
    where provider = 'hubspot'

),

typeform as (

    select
        coalesce(submission_id, {{ json_text('payload', '$.form_response.token') }}) as submission_id,
        'typeform' as provider,
        coalesce(form_id, {{ json_text('payload', '$.form_response.form_id') }}) as form_id,
        coalesce({{ to_utc('submitted_at') }}, {{ iso_to_utc(json_text('payload', '$.form_response.submitted_at')) }}) as submitted_at,
        -- answers by field ref first, else by field type (email, phone_number), else by the question's
        -- title (forms built in the UI have random refs); never by position
        coalesce(email, {{ typeform_answer('work_email') }}, {{ typeform_answer('email') }}, {{ typeform_answer_of_type('email') }}) as raw_email,
        coalesce({{ typeform_answer('first_name') }}, {{ typeform_answer_titled('(first|given) ?name', ['short_text']) }}) as first_name,
        coalesce({{ typeform_answer('last_name') }}, {{ typeform_answer_titled('(last|family|sur) ?name', ['short_text']) }}) as last_name,
        coalesce(
            {{ typeform_answer('company') }}, {{ typeform_answer('company_name') }},
            {{ typeform_answer_titled('(company|organi[sz]ation|employer)', ['short_text', 'dropdown']) }}
        ) as company_name,
        coalesce({{ typeform_answer('job_title') }}, {{ typeform_answer_titled('(job title|role|position)', ['short_text', 'dropdown', 'multiple_choice']) }}) as job_title,
        coalesce({{ typeform_answer('company_size') }}, {{ typeform_answer_titled('(company size|employees|team size)', ['multiple_choice', 'dropdown', 'short_text', 'number']) }}) as company_size,
        coalesce({{ typeform_answer('industry') }}, {{ typeform_answer_titled('industry', ['multiple_choice', 'dropdown', 'short_text']) }}) as industry,
        coalesce({{ typeform_answer('country') }}, {{ typeform_answer_titled('country', ['multiple_choice', 'dropdown', 'short_text']) }}) as country,
        coalesce({{ typeform_answer('phone') }}, {{ typeform_answer_of_type('phone_number') }}) as phone,
        lower(coalesce({{ typeform_answer('consent') }}, {{ typeform_answer('consent_to_process') }})) as consent_raw,
        lower({{ typeform_answer('marketing_opt_in') }}) as opt_in_raw,
        cast(null as {{ dbt.type_string() }}) as consent_text,
        cast(null as {{ dbt.type_string() }}) as page_url,
        {{ json_text('payload', '$.form_response.hidden.utm_source') }} as hidden_utm_source,
        {{ json_text('payload', '$.form_response.hidden.utm_medium') }} as hidden_utm_medium,
        {{ json_text('payload', '$.form_response.hidden.utm_campaign') }} as hidden_utm_campaign,
        {{ json_text('payload', '$.form_response.hidden.anonymous_id') }} as anonymous_id,
        {{ json_text('payload', '$.form_response.hidden.hutk') }} as hutk,
        {{ typeform_answer('budget') }} as stated_budget,
        coalesce({{ typeform_answer('timeline') }}, {{ typeform_answer('purchase_timeline') }}) as stated_timeline,
        coalesce({{ typeform_answer('need') }}, {{ typeform_answer('pain_point') }}) as stated_need,
        coalesce({{ typeform_answer('authority') }}, {{ typeform_answer('decision_role') }}) as stated_authority,
        {{ json_text('payload', '$.form_response.definition.title') }} as form_title,
        _loaded_at
    from source
    where provider = 'typeform'

),

post as (

    select
        submission_id,
        'post' as provider,
        form_id,
        {{ to_utc('submitted_at') }} as submitted_at,
        coalesce(email, {{ json_text('payload', '$.email') }}) as raw_email,
        coalesce({{ json_text('payload', '$.first_name') }}, {{ json_text('payload', '$.firstname') }}) as first_name,
        coalesce({{ json_text('payload', '$.last_name') }}, {{ json_text('payload', '$.lastname') }}) as last_name,
        {{ json_text('payload', '$.company') }} as company_name,
        coalesce({{ json_text('payload', '$.job_title') }}, {{ json_text('payload', '$.jobtitle') }}) as job_title,
        {{ json_text('payload', '$.company_size') }} as company_size,
        {{ json_text('payload', '$.industry') }} as industry,
        {{ json_text('payload', '$.country') }} as country,
        {{ json_text('payload', '$.phone') }} as phone,
        lower(coalesce({{ json_text('payload', '$.consent') }}, {{ json_text('payload', '$.consent_to_process') }})) as consent_raw,
        lower({{ json_text('payload', '$.marketing_opt_in') }}) as opt_in_raw,
        {{ json_text('payload', '$.consent_text') }} as consent_text,
        coalesce({{ json_text('payload', '$.page_url') }}, {{ json_text('payload', '$.pageUri') }}) as page_url,
        {{ json_text('payload', '$.utm_source') }} as hidden_utm_source,
        {{ json_text('payload', '$.utm_medium') }} as hidden_utm_medium,
        {{ json_text('payload', '$.utm_campaign') }} as hidden_utm_campaign,
        {{ json_text('payload', '$.anonymous_id') }} as anonymous_id,
        {{ json_text('payload', '$.hutk') }} as hutk,
        {{ json_text('payload', '$.budget') }} as stated_budget,
        {{ json_text('payload', '$.timeline') }} as stated_timeline,
        coalesce({{ json_text('payload', '$.need') }}, {{ json_text('payload', '$.message') }}) as stated_need,
        {{ json_text('payload', '$.authority') }} as stated_authority,
        coalesce({{ json_text('payload', '$.form_name') }}, {{ json_text('payload', '$.page_title') }}) as form_title,
        _loaded_at
    from source
    where provider = 'post'

),

unioned as (

    select * from hubspot
    union all
    select * from typeform
    union all
    select * from post

),

deduplicated as (

    select
        *,
        row_number() over (partition by submission_id order by _loaded_at, submitted_at) as arrival_rank
    from unioned

)

select
    -- ids
    submission_id,
    provider,
    form_id,
    nullif(trim(anonymous_id), '') as anonymous_id,
    nullif(trim(hutk), '') as hutk,
    -- timestamps
    submitted_at,
    -- person
    {{ normalize_email('raw_email') }} as email,
    nullif(trim(first_name), '') as first_name,
    nullif(trim(last_name), '') as last_name,
    nullif(trim(company_name), '') as company_name,
    nullif(trim(job_title), '') as job_title,
    nullif(trim(company_size), '') as company_size,
    {{ employee_count_from_text('company_size') }} as employee_count,
    nullif(trim(industry), '') as industry,
    nullif(trim(country), '') as country,
    nullif(trim(phone), '') as phone,
    -- consent (checked boxes of urlencoded posts send 'on'; absent = not given)
    coalesce(consent_raw in ('true', 'on', 'yes', '1'), false) as consent_to_process,
    coalesce(opt_in_raw in ('true', 'on', 'yes', '1'), false) as marketing_opt_in,
    consent_text,
    -- attribution
    page_url,
    coalesce(hidden_utm_source, {{ url_param('page_url', 'utm_source') }}) as utm_source,
    coalesce(hidden_utm_medium, {{ url_param('page_url', 'utm_medium') }}) as utm_medium,
    coalesce(hidden_utm_campaign, {{ url_param('page_url', 'utm_campaign') }}) as utm_campaign,
    -- stated BANT
    nullif(trim(stated_budget), '') as stated_budget,
    nullif(trim(stated_timeline), '') as stated_timeline,
    nullif(trim(stated_need), '') as stated_need,
    nullif(trim(stated_authority), '') as stated_authority,
    -- what the form calls itself (Typeform definition.title, HubSpot pageName, a post's form_name)
    nullif(trim(form_title), '') as form_title,
    {{ to_utc('_loaded_at') }} as loaded_at
from deduplicated
where arrival_rank = 1
    and {{ staging_unseen(['submission_id'], 'deduplicated') }}

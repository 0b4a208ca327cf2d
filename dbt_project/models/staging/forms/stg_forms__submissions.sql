{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        indexes=[{'columns': ['submission_id']}]
    )
}}
{#- indexes: PostgreSQL (other engines ignore it); staging_unseen() looks every new key up. -#}
-- Form submissions of HubSpot Forms v3, Typeform and urlencoded posts in the canonical
-- HubSpot-like shape (docs/formats.md §6.1), one row per submission_id.

with source as (

    -- raw_rows is read by staging_unseen() on incremental runs
    select * from {{ source('raw', 'form_submissions') }} as raw_rows  -- noqa: AL05
    where {{ staging_new_rows_window() }}
        -- keys already staged are dropped before any column is derived (the final
        -- staging_unseen() drops the same keys; this makes a wide look-back window cheap)
        and {{ staging_unseen(['submission_id'], 'raw_rows') }}

),

renamed as (

    -- each provider's fields are read once, by the ingestion (orchestration/ingestion/formats:
    -- hubspot_form.py, typeform.py, form_post.py)
    select
        submission_id,
        provider,
        form_id,
        {{ to_utc('submitted_at') }} as submitted_at,
        email as raw_email,
        first_name,
        last_name,
        company_name,
        job_title,
        company_size,
        industry,
        country,
        phone,
        lower(consent) as consent_raw,
        lower(marketing_opt_in) as opt_in_raw,
        consent_text,
        page_url,
        hidden_utm_source,
        hidden_utm_medium,
        hidden_utm_campaign,
        anonymous_id,
        hutk,
        stated_budget,
        stated_timeline,
        stated_need,
        stated_authority,
        form_title,
        _loaded_at
    from source

),

deduplicated as (

    -- one row per submission: the first loaded (a submission that arrived once is not ranked)
    {{ ranked_arrivals('renamed', ['submission_id'], 'arrivals._loaded_at, arrivals.submitted_at') }}

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

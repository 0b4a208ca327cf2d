-- A table, not a view: several models and tests read it, and stitching is recomputed in full each run.
{{ config(materialized='table') }}

-- Every observation of a lead's attributes (identify traits, form fields, list columns), one row per
-- source record; dim_leads keeps the latest non-null value of each attribute.

with identifies as (

    select
        coalesce(web.identified_email, web.user_id_email) as email,
        'identify' as observation_source,
        web.occurred_at as observed_at,
        web.traits_first_name as first_name,
        web.traits_last_name as last_name,
        web.traits_company_name as company_name,
        web.traits_job_title as job_title,
        {{ employee_count_from_text('web.traits_company_size') }} as employee_count,
        web.traits_industry as industry,
        web.traits_country as country,
        web.traits_phone as phone,
        cast(null as boolean) as consent_to_process,
        cast(null as boolean) as marketing_opt_in,
        cast(null as {{ dbt.type_string() }}) as stated_budget,
        cast(null as {{ dbt.type_string() }}) as stated_timeline,
        cast(null as {{ dbt.type_string() }}) as stated_need,
        cast(null as {{ dbt.type_string() }}) as stated_authority
    from {{ ref('stg_segment__web_events') }} as web
    where web.event_type = 'identify'
        and coalesce(web.identified_email, web.user_id_email) is not null

),

forms as (

    select
        email, 'form' as observation_source, submitted_at as observed_at,
        first_name, last_name, company_name, job_title, employee_count,
        industry, country, phone, consent_to_process, marketing_opt_in,
        stated_budget, stated_timeline, stated_need, stated_authority
    from {{ ref('stg_forms__submissions') }}
    where email is not null

),

lists as (

    select
        email, 'list_import' as observation_source, imported_at as observed_at,
        first_name, last_name, company_name, job_title, employee_count,
        industry, country, phone,
        cast(null as boolean) as consent_to_process,
        cast(null as boolean) as marketing_opt_in,
        cast(null as {{ dbt.type_string() }}) as stated_budget,
        cast(null as {{ dbt.type_string() }}) as stated_timeline,
        cast(null as {{ dbt.type_string() }}) as stated_need,
        cast(null as {{ dbt.type_string() }}) as stated_authority
    from {{ ref('stg_lead_lists__members') }}
    where email is not null

),

unioned as (

    select * from identifies
    union all
    select * from forms
    union all
    select * from lists

)

select
    {{ lead_id('email') }} as lead_id,
    email,
    observation_source,
    observed_at,
    nullif(trim(first_name), '') as first_name,
    nullif(trim(last_name), '') as last_name,
    nullif(trim(company_name), '') as company_name,
    nullif(trim(job_title), '') as job_title,
    employee_count,
    nullif(trim(industry), '') as industry,
    nullif(trim(country), '') as country,
    nullif(trim(phone), '') as phone,
    consent_to_process,
    marketing_opt_in,
    stated_budget,
    stated_timeline,
    stated_need,
    stated_authority
from unioned

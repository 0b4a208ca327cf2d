-- One row per lead (every valid email seen in any source) with its latest known attributes,
-- derived taxonomy, attribution, consent/subscription state and key dates (data-contracts §3).
-- BI-facing: the lead is its pseudonymous lead_id; no email or name (int_identity__lead_contacts
-- holds them for the activation mart, docs/privacy.md). Its column set is an enforced contract.
-- In a point-in-time replay (var as_of, docs/replay.md) it is the dimension as it was then: leads created by
-- then, attribute and consent values as last observed by then, subscription state from events up to then.

with leads as (

    select * from {{ ref('int_identity__leads') }}
    where {{ as_of_filter('created_at') }}

),

observations as (

    select * from {{ ref('int_identity__profile_observations') }}
    where {{ as_of_filter('observed_at') }}

),

profile as (

    select
        lead_id,
        {{ latest_value('company_name', 'observed_at') }} as company_name,
        {{ latest_value('job_title', 'observed_at') }} as job_title,
        {{ latest_value('employee_count', 'observed_at') }} as employee_count,
        {{ latest_value('industry', 'observed_at') }} as industry,
        {{ latest_value('country', 'observed_at') }} as country,
        {{ latest_value('phone', 'observed_at') }} as phone,
        {{ latest_value('consent_to_process', 'observed_at') }} as consent_to_process,
        {{ latest_value('marketing_opt_in', 'observed_at') }} as marketing_opt_in,
        {{ latest_value('stated_budget', 'observed_at') }} as stated_budget,
        {{ latest_value('stated_timeline', 'observed_at') }} as stated_timeline,
        {{ latest_value('stated_need', 'observed_at') }} as stated_need,
        {{ latest_value('stated_authority', 'observed_at') }} as stated_authority
    from observations
    group by lead_id

),

interactions as (

    select * from {{ ref('fct_interactions') }}
    where {{ as_of_filter('occurred_at') }}

),

activity as (

    select
        lead_id,
        min(occurred_at) as first_interaction_at,
        max(case when not is_machine_open and not is_bot
                and interaction_type not in ('email_delivered', 'email_bounce_hard', 'email_bounce_soft', 'list_import', 'crm_activity')
                then occurred_at
        end) as last_activity_at,
        max(case when interaction_type = 'email_unsubscribe' then 1 else 0 end) = 1 as is_unsubscribed,
        max(case when interaction_type = 'email_bounce_hard' then 1 else 0 end) = 1 as is_hard_bounced,
        max(case when interaction_type = 'email_spam_report' then 1 else 0 end) = 1 as is_spam_reported,
        max(case when interaction_type = 'email_unsubscribe' then occurred_at end) as unsubscribed_at
    from interactions
    group by lead_id

),

touches as (

    select
        lead_id,
        utm_source,
        utm_medium,
        utm_campaign,
        row_number() over (partition by lead_id order by occurred_at, interaction_id) as first_rank,
        row_number() over (partition by lead_id order by occurred_at desc, interaction_id desc) as last_rank
    from interactions
    where utm_source is not null
        and not is_bot
        and source in ('web', 'form', 'email')
        and interaction_type not in ('email_delivered', 'email_open', 'email_bounce_hard', 'email_bounce_soft')

),

crm as (

    select
        {{ lead_id('email') }} as lead_id,
        {{ latest_value('crm_contact_id', 'updated_at') }} as crm_id
    from {{ ref('stg_crm__deals') }}
    where email is not null
        and {{ as_of_filter('updated_at') }}
    group by {{ lead_id('email') }}

),

titles as (

    select * from {{ ref('int_identity__job_titles') }}

),

form_roles as (

    -- the role answered in the lead's latest form with a job title: the stated authority when the form
    -- has no explicit authority question (docs/scoring.md, BANT)
    select
        observations.lead_id,
        {{ latest_value('observations.job_title', 'observations.observed_at') }} as form_job_title
    from observations
    where observations.observation_source = 'form'
    group by observations.lead_id

),

countries as (

    select * from {{ ref('country_regions') }}

),

free_domains as (

    select * from {{ ref('free_email_domains') }}

),

profiled as (

    select
        leads.lead_id,
        leads.email,
        profile.company_name,
        profile.job_title,
        profile.employee_count,
        profile.industry,
        profile.country,
        profile.phone
    from leads
    left join profile on leads.lead_id = profile.lead_id

),

-- seniority, function, size bucket, region, free mail: the lead_taxonomy macro (`leadhouse score` runs it too)
taxonomy as (

    {{ lead_taxonomy('profiled', 'titles', 'countries', 'free_domains') }}

),

joined as (

    select
        leads.lead_id,
        taxonomy.email_domain,
        taxonomy.is_free_email,
        profile.company_name,
        taxonomy.company_domain,
        profile.job_title,
        taxonomy.seniority,
        taxonomy.job_function,
        taxonomy.company_size_bucket,
        profile.employee_count,
        profile.industry,
        taxonomy.country_iso2,
        taxonomy.region,
        taxonomy.has_phone,
        taxonomy.enrichment_points,
        leads.origin,
        leads.lead_source,
        first_touch.utm_source as first_touch_utm_source,
        first_touch.utm_medium as first_touch_utm_medium,
        first_touch.utm_campaign as first_touch_utm_campaign,
        last_touch.utm_source as last_touch_utm_source,
        last_touch.utm_medium as last_touch_utm_medium,
        last_touch.utm_campaign as last_touch_utm_campaign,
        coalesce(profile.consent_to_process, false) as consent_to_process,
        coalesce(profile.marketing_opt_in, false) and not coalesce(activity.is_unsubscribed, false) as marketing_opt_in,
        coalesce(activity.is_unsubscribed, false) as is_unsubscribed,
        coalesce(activity.is_hard_bounced, false) as is_hard_bounced,
        coalesce(activity.is_spam_reported, false) as is_spam_reported,
        crm.crm_id,
        profile.stated_budget,
        profile.stated_timeline,
        profile.stated_need,
        coalesce(profile.stated_authority, {{ bant_authority_from_seniority('form_titles.seniority') }}) as stated_authority,
        leads.created_at,
        case when activity.first_interaction_at is null or leads.created_at < activity.first_interaction_at
                then leads.created_at
            else activity.first_interaction_at
        end as first_seen_at,
        activity.last_activity_at
    from leads
    left join profile on leads.lead_id = profile.lead_id
    left join activity on leads.lead_id = activity.lead_id
    left join touches as first_touch on leads.lead_id = first_touch.lead_id and first_touch.first_rank = 1
    left join touches as last_touch on leads.lead_id = last_touch.lead_id and last_touch.last_rank = 1
    left join crm on leads.lead_id = crm.lead_id
    left join taxonomy on leads.lead_id = taxonomy.lead_id
    left join form_roles on leads.lead_id = form_roles.lead_id
    left join titles as form_titles on form_roles.form_job_title = form_titles.job_title

)

select
    lead_id,
    email_domain,
    is_free_email,
    company_name,
    company_domain,
    job_title,
    seniority,
    job_function,
    company_size_bucket,
    employee_count,
    industry,
    country_iso2,
    region,
    has_phone,
    enrichment_points >= 2 as is_enriched,
    {{ enrichment_level('enrichment_points') }} as enrichment_level,
    origin,
    lead_source,
    first_touch_utm_source,
    first_touch_utm_medium,
    first_touch_utm_campaign,
    last_touch_utm_source,
    last_touch_utm_medium,
    last_touch_utm_campaign,
    consent_to_process,
    marketing_opt_in,
    is_unsubscribed,
    is_hard_bounced,
    is_spam_reported,
    crm_id,
    stated_budget,
    stated_timeline,
    stated_need,
    stated_authority,
    created_at,
    first_seen_at,
    last_activity_at
from joined

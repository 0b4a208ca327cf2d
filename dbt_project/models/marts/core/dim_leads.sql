-- SKELETON (contract columns, no rows yet): replaced by the real model shortly.
select
    cast(null as varchar) as lead_id, cast(null as varchar) as email, cast(null as varchar) as email_domain,
    cast(null as boolean) as is_free_email, cast(null as varchar) as first_name, cast(null as varchar) as last_name,
    cast(null as varchar) as company_name, cast(null as varchar) as company_domain, cast(null as varchar) as job_title,
    cast(null as varchar) as seniority, cast(null as varchar) as job_function, cast(null as varchar) as company_size_bucket,
    cast(null as integer) as employee_count, cast(null as varchar) as industry, cast(null as varchar) as country_iso2,
    cast(null as varchar) as region, cast(null as boolean) as has_phone, cast(null as boolean) as is_enriched,
    cast(null as varchar) as enrichment_level, cast(null as varchar) as origin, cast(null as varchar) as lead_source,
    cast(null as varchar) as first_touch_utm_source, cast(null as varchar) as first_touch_utm_medium,
    cast(null as varchar) as first_touch_utm_campaign, cast(null as varchar) as last_touch_utm_source,
    cast(null as varchar) as last_touch_utm_medium, cast(null as varchar) as last_touch_utm_campaign,
    cast(null as boolean) as consent_to_process, cast(null as boolean) as marketing_opt_in,
    cast(null as boolean) as is_unsubscribed, cast(null as boolean) as is_hard_bounced, cast(null as boolean) as is_spam_reported,
    cast(null as varchar) as crm_id, cast(null as varchar) as stated_budget, cast(null as varchar) as stated_timeline,
    cast(null as varchar) as stated_need, cast(null as varchar) as stated_authority,
    cast(null as timestamp) as created_at, cast(null as timestamp) as first_seen_at, cast(null as timestamp) as last_activity_at
where false

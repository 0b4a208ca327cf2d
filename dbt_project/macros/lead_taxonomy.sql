{#- Lead taxonomy from raw profile fields: seniority and job function from the job title, company-size
    bucket, country code and sales region, email domain and free-mail flag, enrichment level.

    The models (int_identity__job_titles, dim_leads) and `leadhouse score` (which scores a raw lead list
    outside the warehouse) run these same macros, so a person gets the same attributes either way. -#}

{#- classify_job_titles(titles, patterns): one row per job title of `titles` (a relation with a distinct,
    non-null job_title column) with seniority and job_function from the ordered regex patterns of
    `patterns` (seeds/job_title_mapping.csv): per dimension the matching pattern with the lowest
    priority wins; no match gives 'unknown'. The title is lower-cased and padded with spaces. -#}
{% macro classify_job_titles(titles, patterns) -%}
with title_matches as (

    select
        titles.job_title,
        patterns.dimension,
        patterns.value,
        row_number() over (partition by titles.job_title, patterns.dimension order by patterns.priority) as match_rank
    from {{ titles }} as titles
    inner join {{ patterns }} as patterns
        on {{ regex_matches_ci("' ' || lower(titles.job_title) || ' '", 'patterns.pattern') }}

)

select
    titles.job_title,
    coalesce(max(case when title_matches.dimension = 'seniority' then title_matches.value end), 'unknown') as seniority,
    coalesce(max(case when title_matches.dimension = 'function' then title_matches.value end), 'unknown') as job_function
from {{ titles }} as titles
left join title_matches
    on titles.job_title = title_matches.job_title
   and title_matches.match_rank = 1
group by titles.job_title
{%- endmacro %}

{#- lead_taxonomy(profiles, titles, countries, free_domains): one row per row of `profiles` (lead_id, email
    normalised, company_name, job_title, employee_count, industry, country, phone) with the derived
    attributes of dim_leads. `titles` is classify_job_titles' output, `countries` seeds/country_regions.csv
    (matched by ISO code, else by name), `free_domains` seeds/free_email_domains.csv. -#}
{% macro lead_taxonomy(profiles, titles, countries, free_domains) -%}
select
    profiles.lead_id,
    {{ email_domain('profiles.email') }} as email_domain,
    free_domains.domain is not null as is_free_email,
    case when free_domains.domain is null then {{ email_domain('profiles.email') }} end as company_domain,
    coalesce(titles.seniority, 'unknown') as seniority,
    coalesce(titles.job_function, 'unknown') as job_function,
    {{ company_size_bucket('profiles.employee_count') }} as company_size_bucket,
    coalesce(country_by_code.country_iso2, country_by_name.country_iso2) as country_iso2,
    coalesce(country_by_code.region, country_by_name.region, 'unknown') as region,
    profiles.phone is not null as has_phone,
    (case when profiles.company_name is not null then 1 else 0 end
     + case when profiles.job_title is not null then 1 else 0 end
     + case when profiles.employee_count is not null then 1 else 0 end
     + case when profiles.industry is not null then 1 else 0 end
     + case when profiles.country is not null then 1 else 0 end
     + case when profiles.phone is not null then 1 else 0 end) as enrichment_points
from {{ profiles }} as profiles
left join {{ titles }} as titles
    on profiles.job_title = titles.job_title
left join {{ countries }} as country_by_code
    on upper(profiles.country) = country_by_code.country_iso2
left join {{ countries }} as country_by_name
    on lower(profiles.country) = lower(country_by_name.country_name)
left join {{ free_domains }} as free_domains
    on {{ email_domain('profiles.email') }} = free_domains.domain
{%- endmacro %}

{#- enrichment_level(points_expr): 'full' (5+ of the 6 profile fields known), 'partial' (2+), 'minimal'. -#}
{% macro enrichment_level(points_expr) -%}
    case when {{ points_expr }} >= 5 then 'full' when {{ points_expr }} >= 2 then 'partial' else 'minimal' end
{%- endmacro %}

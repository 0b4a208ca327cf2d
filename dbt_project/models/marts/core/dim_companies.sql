-- One row per company domain (business email domains of leads), with the most common known
-- attributes of its leads (data-contracts §3).

with leads as (

    select * from {{ ref('dim_leads') }}
    where company_domain is not null

),

ranked_names as (

    select
        company_domain,
        company_name,
        row_number() over (partition by company_domain order by count(*) desc, company_name) as name_rank
    from leads
    where company_name is not null
    group by company_domain, company_name

),

ranked_industries as (

    select
        company_domain,
        industry,
        row_number() over (partition by company_domain order by count(*) desc, industry) as industry_rank
    from leads
    where industry is not null
    group by company_domain, industry

),

ranked_countries as (

    select
        company_domain,
        country_iso2,
        row_number() over (partition by company_domain order by count(*) desc, country_iso2) as country_rank
    from leads
    where country_iso2 is not null
    group by company_domain, country_iso2

),

aggregated as (

    select
        company_domain,
        max(employee_count) as employee_count,
        count(*) as lead_count
    from leads
    group by company_domain

)

select
    aggregated.company_domain,
    ranked_names.company_name,
    ranked_industries.industry,
    aggregated.employee_count,
    {{ company_size_bucket('aggregated.employee_count') }} as company_size_bucket,
    ranked_countries.country_iso2,
    aggregated.lead_count
from aggregated
left join ranked_names
    on aggregated.company_domain = ranked_names.company_domain and ranked_names.name_rank = 1
left join ranked_industries
    on aggregated.company_domain = ranked_industries.company_domain and ranked_industries.industry_rank = 1
left join ranked_countries
    on aggregated.company_domain = ranked_countries.company_domain and ranked_countries.country_rank = 1

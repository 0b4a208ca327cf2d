-- Distinct job titles classified into seniority and job function by the ordered regex patterns of
-- seeds/job_title_mapping.csv (lowest priority wins per dimension; no match → unknown).

with titles as (

    select distinct job_title
    from {{ ref('int_identity__profile_observations') }}
    where job_title is not null

),

patterns as (

    select * from {{ ref('job_title_mapping') }}

),

matches as (

    select
        titles.job_title,
        patterns.dimension,
        patterns.value,
        row_number() over (partition by titles.job_title, patterns.dimension order by patterns.priority) as match_rank
    from titles
    inner join patterns
        on {{ regex_matches_ci("' ' || lower(titles.job_title) || ' '", 'patterns.pattern') }}

)

select
    titles.job_title,
    coalesce(max(case when matches.dimension = 'seniority' then matches.value end), 'unknown') as seniority,
    coalesce(max(case when matches.dimension = 'function' then matches.value end), 'unknown') as job_function
from titles
left join matches
    on titles.job_title = matches.job_title
   and matches.match_rank = 1
group by titles.job_title

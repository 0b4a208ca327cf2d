-- Distinct job titles classified into seniority and job function by the ordered regex patterns of
-- seeds/job_title_mapping.csv (lowest priority wins per dimension; no match → unknown). The rule is
-- the classify_job_titles macro, which `leadhouse score` also runs on raw lead lists.

with titles as (

    select distinct job_title
    from {{ ref('int_identity__profile_observations') }}
    where job_title is not null

),

patterns as (

    select * from {{ ref('job_title_mapping') }}

),

classified as (

    {{ classify_job_titles('titles', 'patterns') }}

)

select * from classified

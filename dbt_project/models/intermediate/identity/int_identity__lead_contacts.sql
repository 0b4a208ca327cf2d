-- One row per lead with the details a CRM needs to reach the person: the email and the latest known
-- first and last name. The BI-facing marts carry the pseudonymous lead_id only; the activation mart
-- (what the CRM syncs read, never published) takes the contact details from here (docs/privacy.md).
-- In a point-in-time replay: leads created by then, names as last observed by then.

with leads as (

    select * from {{ ref('int_identity__leads') }}
    where {{ as_of_filter('created_at') }}

),

observations as (

    select * from {{ ref('int_identity__profile_observations') }}
    where {{ as_of_filter('observed_at') }}

),

names as (

    select
        lead_id,
        {{ latest_value('first_name', 'observed_at') }} as first_name,
        {{ latest_value('last_name', 'observed_at') }} as last_name
    from observations
    group by lead_id

)

select
    leads.lead_id,
    leads.email,
    names.first_name,
    names.last_name
from leads
left join names on leads.lead_id = names.lead_id

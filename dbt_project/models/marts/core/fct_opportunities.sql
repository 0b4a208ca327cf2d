-- CRM outcomes: one row per deal (HubSpot deal / Salesforce opportunity), latest exported state,
-- attached to the lead of the deal's contact email (data-contracts §3).

with deals as (

    select * from {{ ref('stg_crm__deals') }}

)

select
    opportunity_id,
    provider,
    {{ lead_id('email') }} as lead_id,
    crm_contact_id as crm_id,
    stage,
    amount,
    created_at,
    closed_at,
    is_closed,
    is_won,
    case when is_won then closed_at end as won_at,
    case when is_closed and not is_won then closed_at end as lost_at,
    provider_stage,
    deal_name,
    updated_at
from deals
where email is not null

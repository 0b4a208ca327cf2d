-- CRM deals of the HubSpot-deals-like and Salesforce-opportunity-like exports in one shape,
-- one row per (provider, deal_id): the latest exported state of the deal.

with source as (

    select * from {{ source('raw', 'crm_deals') }}

),

renamed as (

    -- the export's columns are read once, by the ingestion (orchestration/ingestion/formats/crm_export.py)
    select
        provider,
        deal_id,
        email as raw_email,
        nullif(crm_contact_id, '') as crm_contact_id,
        deal_name,
        case when provider = 'hubspot' then lower(provider_stage) else provider_stage end as provider_stage,
        case
            when provider = 'hubspot'
                then
                    case lower(provider_stage)
                        when 'appointmentscheduled' then 'discovery'
                        when 'qualifiedtobuy' then 'qualification'
                        when 'presentationscheduled' then 'proposal'
                        when 'decisionmakerboughtin' then 'proposal'
                        when 'contractsent' then 'negotiation'
                        when 'closedwon' then 'closed_won'
                        when 'closedlost' then 'closed_lost'
                        else 'other'
                    end
            when provider = 'salesforce'
                then
                    case provider_stage
                        when 'Prospecting' then 'discovery'
                        when 'Qualification' then 'qualification'
                        when 'Needs Analysis' then 'qualification'
                        when 'Proposal/Price Quote' then 'proposal'
                        when 'Negotiation/Review' then 'negotiation'
                        when 'Closed Won' then 'closed_won'
                        when 'Closed Lost' then 'closed_lost'
                        else 'other'
                    end
            else 'other'
        end as stage,
        nullif(amount, '') as amount_text,
        nullif(created_on, '') as created_text,
        nullif(closed_on, '') as closed_text,
        updated_at,
        _loaded_at
    from source
    where provider in ('hubspot', 'salesforce')

),

latest as (

    select
        *,
        row_number() over (partition by provider, deal_id order by updated_at desc, _loaded_at desc) as recency_rank
    from renamed

)

select
    -- ids
    provider || '-' || deal_id as opportunity_id,
    provider,
    deal_id,
    {{ normalize_email('raw_email') }} as email,
    crm_contact_id,
    -- deal
    deal_name,
    provider_stage,
    stage,
    {{ dbt.safe_cast('amount_text', dbt.type_numeric()) }} as amount,
    stage in ('closed_won', 'closed_lost') as is_closed,
    stage = 'closed_won' as is_won,
    -- timestamps
    {{ iso_to_utc('created_text') }} as created_at,
    case when stage in ('closed_won', 'closed_lost') then {{ iso_to_utc('closed_text') }} end as closed_at,
    {{ to_utc('updated_at') }} as updated_at,
    {{ to_utc('_loaded_at') }} as loaded_at
from latest
where recency_rank = 1

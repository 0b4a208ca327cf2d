-- dim_leads.lead_id is exactly the lead_id macro of its email (sha256 of the normalised email).
{{ config(meta={'dagster': {'ref': {'name': 'dim_leads'}}}) }}

select lead_id, email
from {{ ref('dim_leads') }}
where lead_id <> {{ lead_id('email') }}

-- Every lead_id is exactly the lead_id macro of its email (sha256 of the normalised email). The
-- email sits in int_identity__lead_contacts (dim_leads carries the key only, docs/privacy.md).
{{ config(meta={'dagster': {'ref': {'name': 'int_identity__lead_contacts'}}}) }}

select lead_id, email
from {{ ref('int_identity__lead_contacts') }}
where lead_id <> {{ lead_id('email') }}

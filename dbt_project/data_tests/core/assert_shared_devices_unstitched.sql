-- An anonymous id linked to more than var('shared_device_max_emails') emails resolves to no lead,
-- and none of its web events reaches fct_interactions through stitching.
{{ config(meta={'dagster': {'ref': {'name': 'fct_interactions'}}}) }}

select interactions.interaction_id, interactions.anonymous_id
from {{ ref('fct_interactions') }} as interactions
inner join {{ ref('int_identity__anonymous_to_lead') }} as resolved
    on interactions.anonymous_id = resolved.anonymous_id
where resolved.is_shared_device
  and interactions.is_stitched

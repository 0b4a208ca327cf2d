-- A table, not a view: several models and tests read it, and stitching is recomputed in full each run.
{{ config(materialized='table') }}

-- One row per anonymous id that appears in an identity edge: the lead it resolves to (its most recent
-- edge, dbt-segment semantics), or no lead when the id is linked to more than
-- var('shared_device_max_emails') distinct emails (a shared device: flagged, left unstitched).

with edges as (

    select * from {{ ref('int_identity__edges') }}
    where anonymous_id is not null

),

ranked as (

    select
        *,
        row_number() over (
            partition by anonymous_id
            order by observed_at desc, loaded_at desc, edge_source, email
        ) as recency_rank
    from edges

),

per_anonymous_id as (

    select
        anonymous_id,
        count(distinct email) as email_count,
        min(observed_at) as first_linked_at,
        max(loaded_at) as last_edge_loaded_at
    from edges
    group by anonymous_id

)

select
    per_anonymous_id.anonymous_id,
    case when per_anonymous_id.email_count <= {{ var('shared_device_max_emails') }} then ranked.lead_id end as lead_id,
    case when per_anonymous_id.email_count <= {{ var('shared_device_max_emails') }} then ranked.email end as email,
    ranked.edge_source as resolved_by,
    ranked.observed_at as resolved_at,
    per_anonymous_id.first_linked_at,
    per_anonymous_id.email_count,
    per_anonymous_id.email_count > {{ var('shared_device_max_emails') }} as is_shared_device,
    per_anonymous_id.last_edge_loaded_at
from per_anonymous_id
inner join ranked
    on per_anonymous_id.anonymous_id = ranked.anonymous_id
        and ranked.recency_rank = 1

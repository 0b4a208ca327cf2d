-- A table, not a view: several models and tests read it, and stitching is recomputed in full each run.
{{ config(materialized='table') }}

-- The lead spine: one row per valid email seen in any source, with when and how it became known.

with edges as (

    select * from {{ ref('int_identity__edges') }}

),


list_kinds as (

    select list_member_id, list_kind from {{ ref('stg_lead_lists__members') }}

),

first_edge as (

    select
        edges.*,
        list_kinds.list_kind,
        row_number() over (partition by edges.lead_id order by edges.observed_at, edges.edge_source, edges.source_record_id) as first_rank
    from edges
    left join list_kinds
        on edges.edge_source = 'list_import' and edges.source_record_id = list_kinds.list_member_id

)

select
    lead_id,
    email,
    observed_at as created_at,
    edge_source as created_by,
    -- how the lead first became known: a list kind for imports, else the inbound channel
    case
        when edge_source = 'list_import' then coalesce(list_kind, 'list')
        when edge_source in ('identify', 'user_id', 'alias') then 'website'
        when edge_source in ('form', 'form_hutk') then 'form'
        when edge_source = 'email_click' then 'email'
        when edge_source = 'email_event' then 'email'
        else edge_source
    end as lead_source,
    case when edge_source in ('list_import', 'email_event') then 'outbound' else 'inbound' end as origin
from first_edge
where first_rank = 1

{{
    config(
        materialized='incremental',
        unique_key='interaction_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook="{{ delete_where(this, 'lead_id is null') }}"
    )
}}
-- depends_on: {{ ref('int_identity__anonymous_to_lead') }}
-- One row per interaction of a known lead, from every source, in one taxonomy (data-contracts §3).
--
-- Incremental: a run re-reads rows loaded within var('interactions_lookback_hours') of the table's
-- high-water mark (late and re-delivered events), PLUS every web event of the anonymous ids whose
-- identity edges were loaded in that window: stitching is retroactive, so a new identify/alias/form
-- re-attributes the cookie's old page views. Rows of ids that lost their lead (e.g. now a shared
-- device) come in with a null lead_id, replace the old rows (delete+insert on interaction_id), and
-- the post-hook deletes them. A full refresh gives the same rows (tested).

with unioned as (

    select * from {{ ref('int_interactions__web') }}
    union all
    select * from {{ ref('int_interactions__other_sources') }}

)

select
    interaction_id,
    lead_id,
    occurred_at,
    source,
    interaction_type,
    interaction_detail,
    content_category,
    form_type,
    channel,
    utm_source,
    utm_medium,
    utm_campaign,
    url,
    anonymous_id,
    session_id,
    is_machine_open,
    is_bot,
    is_stitched,
    loaded_at
from unioned
where occurred_at is not null
    {% if is_incremental() %}
  and (
        loaded_at > (select {{ dbt.dateadd('hour', -1 * var('interactions_lookback_hours'), 'max(loaded_at)') }} from {{ this }})
        or anonymous_id in (
            select anonymous_id
            from {{ ref('int_identity__anonymous_to_lead') }}
            where last_edge_loaded_at > (select {{ dbt.dateadd('hour', -1 * var('interactions_lookback_hours'), 'max(loaded_at)') }} from {{ this }})
        )
  )
{% else %}
        and lead_id is not null
    {% endif %}

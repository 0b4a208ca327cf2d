{{
    config(
        materialized='incremental',
        unique_key='interaction_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        meta={'test_scope_column': 'loaded_at'},
        post_hook="{{ delete_where(this, 'lead_id is null') }}"
    )
}}
-- One row per interaction of a known lead, from every source, in one taxonomy (data-contracts §3).
--
-- Incremental: a run writes only the rows that differ from the table — new interactions and rows
-- whose values changed upstream (a re-stitched page view, a renumbered session, a machine open
-- flagged by a late delivery) — found by comparing the intermediates with the table (except), and
-- replaces them (delete+insert on interaction_id). A row whose lead is gone (e.g. its anonymous id
-- became a shared device) comes in with a null lead_id and the post-hook deletes it. The
-- intermediates carry the retroactive logic (int_interactions__web recomputes the visitors whose
-- stitching or sessions changed), so a full refresh gives the same rows (tested).

{%- set columns = [
    'interaction_id', 'lead_id', 'occurred_at', 'source', 'interaction_type', 'interaction_detail',
    'content_category', 'form_type', 'channel', 'utm_source', 'utm_medium', 'utm_campaign', 'url',
    'anonymous_id', 'session_id', 'is_machine_open', 'is_bot', 'is_stitched', 'loaded_at'
] %}
{#- the contract's columns, in its order: the web side, the output and the comparison with the table #}

with unioned as (

    select {{ columns | join(', ') }}
    from {{ ref('int_interactions__web') }}
    union all
    select * from {{ ref('int_interactions__other_sources') }}

),

interactions as (

    select {{ columns | join(', ') }}
    from unioned
    where occurred_at is not null
        and (
            lead_id is not null
            {%- if is_incremental() %}
                -- or the row of an id the table has (its lead may be gone)
                or interaction_id in (select existing.interaction_id from {{ this }} as existing)
            {%- endif %}
        )

)

{% if is_incremental() %}
select * from interactions
except
select {{ columns | join(', ') }}
from {{ this }}
{% else %}
    select * from interactions
{% endif %}

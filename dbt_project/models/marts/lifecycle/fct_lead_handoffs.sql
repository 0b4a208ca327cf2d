{#- One row per hand-off: each time a lead crosses into MQL, PQL (marketing → SDR) or SQL (→ sales).
    Append-only: a crossing is identified by (lead, stage, entry time) and recorded once; a recycled
    lead that qualifies again is a new hand-off. The hand-off sensor announces rows by recorded_at. -#}
{{ config(materialized='incremental', unique_key='handoff_id', incremental_strategy='append',
          on_schema_change='append_new_columns') }}

with lifecycle as (
    select lead_id, lifecycle_stage, previous_stage, stage_entered_at
    from {{ ref('mart_lead_lifecycle') }}
    where lifecycle_stage in ('mql', 'pql', 'sql')
),

champion_scores as (
    select s.lead_id, s.model_version, s.fit_score, s.engagement_score, s.lead_score, s.tier, s.temperature
    from {{ ref('mart_lead_scores') }} as s
    inner join {{ ref('scoring_models') }} as m on m.model_id = s.model_id and m.is_champion
),

crossings as (
    select {{ dbt.hash("l.lead_id || '|' || l.lifecycle_stage || '|' || cast(l.stage_entered_at as " ~ dbt.type_string() ~ ")") }}
               as handoff_id,
           l.lead_id,
           l.lifecycle_stage as handoff_type,
           l.previous_stage as from_stage,
           l.stage_entered_at as crossed_at,
           s.model_version, s.fit_score, s.engagement_score, s.lead_score, s.tier, s.temperature
    from lifecycle as l
    inner join champion_scores as s on s.lead_id = l.lead_id
)

select c.*, {{ adapter.dispatch('scoring_now', 'leadhouse')() }} as recorded_at
from crossings as c
{% if is_incremental() %}
where c.handoff_id not in (select handoff_id from {{ this }})
{% endif %}

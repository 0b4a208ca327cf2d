{#- One row per hand-off, derived from the lifecycle's stage transitions: every threshold a lead crossed is a
    hand-off, even when it crossed several between two runs (lead -> MQL -> SQL in one hour gives the MQL and
    the SQL hand-off).
      marketing hand-off  first reach of MQL or later (the funnel's MQL step); 'pql' when the lead qualified
                          through the product (became_pql_at first), else 'mql'
      sales hand-off      first reach of SQL or later (an opportunity implies it)
    plus a re-qualification: a recycled lead that enters MQL / PQL / SQL again (a new entry time).
    Append-only: a crossing is identified by (lead, type, crossing time) and recorded once. The hand-off sensor
    announces rows by recorded_at. -#}
{{ config(materialized='incremental', unique_key='handoff_id', incremental_strategy='append',
          on_schema_change='append_new_columns') }}

with lifecycle as (
    select
        lead_id, lifecycle_stage, previous_stage, stage_entered_at, became_mql_at, became_pql_at,
        {{ scoring_least_ts(['became_mql_at', 'became_pql_at', 'became_sql_at', 'became_opportunity_at', 'became_customer_at', 'became_evangelist_at']) }}
            as qualified_at,
        {{ scoring_least_ts(['became_sql_at', 'became_opportunity_at', 'became_customer_at', 'became_evangelist_at']) }}
            as sales_at
    from {{ ref('mart_lead_lifecycle') }}
),

champion_scores as (
    select s.lead_id, s.model_version, s.fit_score, s.engagement_score, s.lead_score, s.tier, s.temperature
    from {{ ref('mart_lead_scores') }} as s
    inner join {{ ref('scoring_models') }} as m on m.model_id = s.model_id and m.is_champion
),

thresholds as (
    select
        lead_id,
        case when became_pql_at = qualified_at and became_mql_at is null then 'pql' else 'mql' end as handoff_type,
        qualified_at as crossed_at, lifecycle_stage, previous_stage, stage_entered_at
    from lifecycle
    where qualified_at is not null
    union all
    select
        lead_id, 'sql' as handoff_type, sales_at as crossed_at, lifecycle_stage, previous_stage,
        stage_entered_at
    from lifecycle
    where sales_at is not null
    union all
    -- re-qualification after a recycle: the current entry into a hand-off stage
    select
        lead_id, lifecycle_stage as handoff_type, stage_entered_at as crossed_at, lifecycle_stage,
        previous_stage, stage_entered_at
    from lifecycle
    where lifecycle_stage in ('mql', 'pql', 'sql')
),

crossings as (
    select distinct
        {{ dbt.hash("t.lead_id || '|' || t.handoff_type || '|' || cast(t.crossed_at as " ~ dbt.type_string() ~ ")") }}
            as handoff_id,
        t.lead_id,
        t.handoff_type,
        case when t.crossed_at = t.stage_entered_at then t.previous_stage end as from_stage,
        t.crossed_at,
        s.model_version, s.fit_score, s.engagement_score, s.lead_score, s.tier, s.temperature
    from thresholds as t
    inner join champion_scores as s on s.lead_id = t.lead_id
)

select c.*, {{ scoring_now() }} as recorded_at
from crossings as c
{% if is_incremental() %}
where c.handoff_id not in (select handoff_id from {{ this }})
{% endif %}

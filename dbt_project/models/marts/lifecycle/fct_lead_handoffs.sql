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

with lead_lifecycle as (
    select * from {{ ref('mart_lead_lifecycle') }}
),

lead_scores as (
    select * from {{ ref('mart_lead_scores') }}
),

scoring_models as (
    select * from {{ ref('scoring_models') }}
),

lifecycle as (
    select
        lead_id, lifecycle_stage, previous_stage, stage_entered_at, became_mql_at, became_pql_at,
        {{ scoring_least_ts(['became_mql_at', 'became_pql_at', 'became_sql_at', 'became_opportunity_at', 'became_customer_at', 'became_evangelist_at']) }}
            as qualified_at,
        {{ scoring_least_ts(['became_sql_at', 'became_opportunity_at', 'became_customer_at', 'became_evangelist_at']) }}
            as sales_at
    from lead_lifecycle
),

champion_scores as (
    select
        scores.lead_id, scores.model_version, scores.fit_score, scores.engagement_score,
        scores.lead_score, scores.tier, scores.temperature
    from lead_scores as scores
    inner join scoring_models as models on models.model_id = scores.model_id and models.is_champion
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
        {{ dbt.hash("thresholds.lead_id || '|' || thresholds.handoff_type || '|' || cast(thresholds.crossed_at as " ~ dbt.type_string() ~ ")") }}
            as handoff_id,
        thresholds.lead_id,
        thresholds.handoff_type,
        case
            when thresholds.crossed_at = thresholds.stage_entered_at then thresholds.previous_stage
        end as from_stage,
        thresholds.crossed_at,
        champion_scores.model_version, champion_scores.fit_score, champion_scores.engagement_score,
        champion_scores.lead_score, champion_scores.tier, champion_scores.temperature
    from thresholds
    inner join champion_scores on champion_scores.lead_id = thresholds.lead_id
)

select crossings.*, {{ scoring_now() }} as recorded_at
from crossings
{% if is_incremental() %}
where crossings.handoff_id not in (select handoff_id from {{ this }})
{% endif %}

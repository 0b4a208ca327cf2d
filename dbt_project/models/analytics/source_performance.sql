-- Which sources and campaigns produce pipeline: leads by first-touch source and campaign, how many
-- reached each funnel step (a skipped step counts as reached), step conversion and velocity.
with leads as (
    select * from {{ ref('lead_scores') }}
),

counted as (
    select
        first_touch_source,
        first_touch_campaign,
        count(*) as leads,
        count(reached_mql_at) as mqls,
        count(reached_sql_at) as sqls,
        count(reached_opportunity_at) as opportunities,
        count(reached_customer_at) as customers,
        percentile_cont(0.5) within group (order by days_to_mql) as median_days_to_mql,
        percentile_cont(0.5) within group (order by days_to_sql) as median_days_to_sql
    from leads
    group by first_touch_source, first_touch_campaign
)

select
    {{ dbt.hash("first_touch_source || '|' || first_touch_campaign") }} as source_campaign_id,
    first_touch_source,
    first_touch_campaign,
    cast(leads as integer) as leads,
    cast(mqls as integer) as mqls,
    cast(sqls as integer) as sqls,
    cast(opportunities as integer) as opportunities,
    cast(customers as integer) as customers,
    cast(mqls as {{ scoring_float() }}) / nullif(leads, 0) as lead_to_mql_rate,
    cast(sqls as {{ scoring_float() }}) / nullif(mqls, 0) as mql_to_sql_rate,
    cast(opportunities as {{ scoring_float() }}) / nullif(sqls, 0) as sql_to_opportunity_rate,
    cast(customers as {{ scoring_float() }}) / nullif(opportunities, 0) as opportunity_to_customer_rate,
    cast(median_days_to_mql as {{ scoring_float() }}) as median_days_to_mql,
    cast(median_days_to_sql as {{ scoring_float() }}) as median_days_to_sql
from counted

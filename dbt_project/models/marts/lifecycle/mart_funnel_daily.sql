-- Daily funnel by first-touch UTM source and campaign: leads entering each funnel step that day, how
-- many of them reached the next step (by the last evaluation), the conversion rate and the median days
-- to convert. A lead that skipped a step (e.g. straight to SQL) counts as reaching it when it reached
-- the later one. PQLs count in the MQL step.
with lifecycle as (
    select
        lead_id,
        coalesce(first_touch_utm_source, '(none)') as utm_source,
        coalesce(first_touch_utm_campaign, '(none)') as utm_campaign,
        first_seen_at, became_mql_at, became_pql_at, became_sql_at, became_opportunity_at,
        became_customer_at, became_evangelist_at
    from {{ ref('mart_lead_lifecycle') }}
),

reached as (
    select
        lead_id, utm_source, utm_campaign,
        first_seen_at as lead_at,
        {{ scoring_least_ts(['became_mql_at', 'became_pql_at', 'became_sql_at', 'became_opportunity_at', 'became_customer_at', 'became_evangelist_at']) }} as mql_at,
        {{ scoring_least_ts(['became_sql_at', 'became_opportunity_at', 'became_customer_at', 'became_evangelist_at']) }} as sql_at,
        {{ scoring_least_ts(['became_opportunity_at', 'became_customer_at', 'became_evangelist_at']) }} as opportunity_at,
        {{ scoring_least_ts(['became_customer_at', 'became_evangelist_at']) }} as customer_at
    from lifecycle
),

steps as (
    {%- set steps = [('lead', 'mql', 1), ('mql', 'sql', 2), ('sql', 'opportunity', 3), ('opportunity', 'customer', 4), ('customer', none, 5)] %}
    {%- for stage, next_stage, order in steps %}
        select
            lead_id, utm_source, utm_campaign, '{{ stage }}' as funnel_stage, {{ order }} as stage_order,
            {{ "'" ~ next_stage ~ "'" if next_stage else 'cast(null as ' ~ dbt.type_string() ~ ')' }} as next_stage,
            {{ stage }}_at as entered_at,
            {{ next_stage ~ '_at' if next_stage else 'cast(null as ' ~ dbt.type_timestamp() ~ ')' }} as next_at
        from reached
        where {{ stage }}_at is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
)

select
    {{ dbt.hash("cast(cast(entered_at as date) as " ~ dbt.type_string() ~ ") || '|' || utm_source || '|' || utm_campaign || '|' || funnel_stage") }}
        as funnel_row_id,
    cast(entered_at as date) as funnel_date,
    utm_source,
    utm_campaign,
    funnel_stage,
    cast(min(stage_order) as integer) as stage_order,
    min(next_stage) as next_stage,
    cast(count(*) as integer) as leads_entered,
    cast(sum(case when next_at is not null then 1 else 0 end) as integer) as leads_converted,
    cast(sum(case when next_at is not null then 1 else 0 end) as {{ scoring_float() }}) / count(*) as conversion_rate,
    cast(percentile_cont(0.5) within group (
        order by case when next_at is not null
                then {{ dbt.datediff('entered_at', 'next_at', 'second') }} / 86400e0
        end
    ) as {{ scoring_float() }}) as median_days_to_next
from steps
group by cast(entered_at as date), utm_source, utm_campaign, funnel_stage

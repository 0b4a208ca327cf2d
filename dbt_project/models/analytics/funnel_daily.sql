-- The daily funnel by first-touch source and campaign (mart_funnel_daily under its BI name).
with funnel as (
    select * from {{ ref('mart_funnel_daily') }}
)

select
    funnel.funnel_row_id,
    funnel.funnel_date,
    funnel.utm_source,
    funnel.utm_campaign,
    funnel.funnel_stage,
    funnel.stage_order,
    funnel.next_stage,
    funnel.leads_entered,
    funnel.leads_converted,
    funnel.conversion_rate,
    funnel.median_days_to_next
from funnel

{#- The explanation rows of a lead, model and score type add up exactly to the score. -#}
{{ config(meta={'dagster': {'ref': {'name': 'mart_lead_score_explanations'}}}) }}
with sums as (
    select lead_id, model_id,
           sum(case when score_type = 'fit' then points else 0 end) as fit_points,
           sum(case when score_type = 'engagement' then points else 0 end) as engagement_points
    from {{ ref('mart_lead_score_explanations') }}
    group by lead_id, model_id
)
select s.lead_id, s.model_id, s.fit_score, coalesce(x.fit_points, 0) as fit_points,
       s.engagement_score, coalesce(x.engagement_points, 0) as engagement_points
from {{ ref('mart_lead_scores') }} as s
left join sums as x on x.lead_id = s.lead_id and x.model_id = s.model_id
where s.fit_score <> coalesce(x.fit_points, 0) or s.engagement_score <> coalesce(x.engagement_points, 0)

{#- Every engagement rule has a known interaction type, numeric points / half-life / window / cap,
    a known buying stage, and a category that is either capped or 'negative'. -#}
{{ config(meta={'dagster': {'ref': {'name': 'scoring_engagement_rules'}}}) }}
{%- set types = ['page_view', 'cta_click', 'form_submission', 'email_delivered', 'email_open', 'email_click',
                 'email_bounce_hard', 'email_bounce_soft', 'email_unsubscribe', 'email_spam_report',
                 'list_import', 'crm_activity'] -%}
with rules as (select * from {{ ref('scoring_engagement_rules') }})
select model_id, rule_id, problem from (
    select model_id, rule_id, 'unknown interaction_type "' || coalesce(interaction_type, '') || '"' as problem
    from rules where interaction_type is null or interaction_type not in ('{{ types | join("', '") }}')
    union all
    select model_id, rule_id, 'points "' || coalesce(points, '') || '" is not a number'
    from rules where {{ dbt.safe_cast('points', scoring_float()) }} is null
    union all
    select model_id, rule_id, 'half_life_days "' || half_life_days || '" is not a positive number'
    from rules where half_life_days is not null and coalesce({{ dbt.safe_cast('half_life_days', scoring_float()) }}, 0) <= 0
    union all
    select model_id, rule_id, 'window_days "' || window_days || '" is not a positive number'
    from rules where window_days is not null and coalesce({{ dbt.safe_cast('window_days', scoring_float()) }}, 0) <= 0
    union all
    select model_id, rule_id, 'cap_per_day "' || cap_per_day || '" is not a positive number'
    from rules where cap_per_day is not null and coalesce({{ dbt.safe_cast('cap_per_day', scoring_float()) }}, 0) <= 0
    union all
    select model_id, rule_id, 'buying_stage "' || coalesce(buying_stage, '') || '" is not awareness/consideration/decision/none'
    from rules where coalesce(buying_stage, '') not in ('awareness', 'consideration', 'decision', 'none')
    union all
    select model_id, rule_id, 'negative points must use category negative'
    from rules where {{ dbt.safe_cast('points', scoring_float()) }} < 0 and category <> 'negative'
    union all
    select model_id, rule_id, 'duplicate rule_id within the model'
    from rules group by model_id, rule_id having count(*) > 1
    union all
    select r.model_id, r.rule_id, 'model_id not declared in scoring_models'
    from rules as r left join {{ ref('scoring_models') }} as m on m.model_id = r.model_id
    where m.model_id is null
) as problems

{#- Cross-seed checks: one champion, weights summing to 1, numeric caps, a complete tier matrix,
    every lifecycle threshold present for the champion. -#}
{{ config(meta={'dagster': {'ref': {'name': 'scoring_models'}}}) }}
select problem from (
    select 'expected exactly one champion model, found ' || cast(count(*) as {{ dbt.type_string() }}) as problem
    from {{ ref('scoring_models') }} where is_champion having count(*) <> 1
    union all
    select 'model ' || model_id || ': fit_weight + engagement_weight must be 1'
    from {{ ref('scoring_models') }} where abs(fit_weight + engagement_weight - 1) > 0.0001
    union all
    select 'cap for ' || model_id || '/' || category || ' "' || coalesce(cap_points, '') || '" is not a positive number'
    from {{ ref('scoring_category_caps') }} where coalesce({{ scoring_try_number('cap_points') }}, 0) <= 0
    union all
    select 'tier matrix of ' || m.model_id || ' has ' || cast(count(t.tier) as {{ dbt.type_string() }}) || ' cells, expected 16'
    from {{ ref('scoring_models') }} as m left join {{ ref('scoring_tier_matrix') }} as t on t.model_id = m.model_id
    group by m.model_id having count(t.tier) <> 16
    union all
    select 'score bands of ' || m.model_id || ' need a 0 lower bound for fit and engagement'
    from {{ ref('scoring_models') }} as m
    where (select count(*) from {{ ref('scoring_score_bands') }} as b
           where b.model_id = m.model_id and b.min_score = 0) <> 2
    union all
    select 'lifecycle threshold missing for ' || m.model_id
    from {{ ref('scoring_models') }} as m
    where m.is_champion
      and (select count(distinct threshold_id) from {{ ref('lifecycle_thresholds') }} as t where t.model_id = m.model_id) < 8
) as problems

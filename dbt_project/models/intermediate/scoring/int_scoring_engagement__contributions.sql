-- Every row that makes up an engagement score: one per rule that fired, then one adjustment per
-- category cap that bit (cap:<category>) and one for the 0-100 clamp (clamp:floor / clamp:ceiling).
-- The engagement score of a lead is exactly the sum of its rows.
with rule_rows as (
    select
        lead_id, model_id, rule_id, category, points,
        cast(n_events as {{ dbt.type_string() }}) || ' event(s) on '
        || cast(n_days as {{ dbt.type_string() }}) || ' day(s), half-life '
        || {{ double_text('half_life_days') }} || ' d'
        || case when n_capped_days > 0
                then ', daily cap hit on ' || cast(n_capped_days as {{ dbt.type_string() }}) || ' day(s)'
            else ''
        end as detail,
        1 as row_order
    from {{ ref('int_scoring_engagement__rule_points') }}
),

category_totals as (
    select
        r.lead_id, r.model_id, r.category, sum(r.points) as category_points,
        max(cast(c.cap_points as {{ scoring_points_type() }})) as cap_points
    from rule_rows as r
    inner join {{ ref('scoring_category_caps') }} as c
        on c.model_id = r.model_id and c.category = r.category
    group by r.lead_id, r.model_id, r.category
),

cap_rows as (
    select
        lead_id, model_id, 'cap:' || category as rule_id, category,
        {{ scoring_points('cap_points - category_points') }} as points,
        'category ' || category || ' capped at ' || cast(cap_points as {{ dbt.type_string() }}) as detail,
        2 as row_order
    from category_totals
    where category_points > cap_points
),

after_caps as (
    select * from rule_rows
    union all
    select * from cap_rows
),

totals as (
    select lead_id, model_id, sum(points) as total from after_caps group by lead_id, model_id
),

clamp_rows as (
    select
        lead_id, model_id,
        case when total < 0 then 'clamp:floor' else 'clamp:ceiling' end as rule_id,
        'clamp' as category,
        {{ scoring_points('case when total < 0 then -total else 100 - total end') }} as points,
        'score clamped to 0-100 (raw ' || cast(total as {{ dbt.type_string() }}) || ')' as detail,
        3 as row_order
    from totals
    where total < 0 or total > 100
)

select * from after_caps
union all
select * from clamp_rows

{{ config(materialized='table') }}
-- One row per scored interaction x model: the engagement rule it matched and its decayed points.
-- Machine opens and bots are excluded, and nothing after as_of counts (history can be replayed).
--
-- A rule reads four things of an interaction: its type, content category, form type and URL. The
-- rules are matched once per distinct combination of them (a few thousand on `small`, against
-- half a million interactions: the URL rules are regular expressions), and the interactions take
-- their combination's rule by an equi-join. Nothing is kept between runs, so a change of the rules
-- seed, of as_of or of any interaction is taken in by the next run, as by a full refresh.
with as_of as (
    select {{ scoring_as_of() }} as as_of
),

interactions as (
    select
        i.interaction_id, i.lead_id, i.occurred_at, i.interaction_type,
        lower(i.content_category) as content_category, lower(i.form_type) as form_type, i.url,
        a.as_of
    from {{ ref('fct_interactions') }} as i
    cross join as_of as a
    where i.occurred_at <= a.as_of
        and not coalesce(i.is_machine_open, false)
        and not coalesce(i.is_bot, false)
),

rules as (
    select
        model_id, rule_id, interaction_type, nullif(trim(detail_match), '') as detail_match, category,
        cast(points as {{ scoring_float() }}) as points,
        coalesce(cast(nullif(half_life_days, '') as {{ scoring_float() }}), {{ var('scoring_default_half_life_days', 30) }}) as half_life_days,
        cast(nullif(window_days, '') as {{ scoring_float() }}) as window_days,
        cast(nullif(cap_per_day, '') as {{ scoring_float() }}) as cap_per_day,
        buying_stage
    from {{ ref('scoring_engagement_rules') }}
),

signatures as (
    -- what a rule can test of an interaction, once per distinct value
    select distinct interaction_type, content_category, form_type, url
    from interactions
),

signature_matches as (
    -- per signature and model, the rule it matches: one with a detail_match beats the generic one
    select
        s.interaction_type, {{ null_safe_key('s.content_category') }} as content_category_key,
        {{ null_safe_key('s.form_type') }} as form_type_key, {{ null_safe_key('s.url') }} as url_key,
        r.model_id, r.rule_id, r.category,
        r.points, r.half_life_days, r.window_days, r.cap_per_day, r.buying_stage,
        row_number() over (
            partition by s.interaction_type, s.content_category, s.form_type, s.url, r.model_id
            order by case when r.detail_match is null then 1 else 0 end, r.rule_id
        ) as match_rank
    from signatures as s
    inner join rules as r
        on r.interaction_type = s.interaction_type
            and (
                r.detail_match is null
                or lower(r.detail_match) = s.content_category
                or lower(r.detail_match) = s.form_type
                or (
                    r.detail_match like 'url:%'
                    and {{ regex_matches_ci('s.url', dbt.right('r.detail_match', dbt.length('r.detail_match') ~ ' - 4')) }}
                )
            )
),

matched as (
    select
        i.interaction_id, i.lead_id, i.occurred_at, m.model_id, m.rule_id, m.category,
        m.points, m.half_life_days, m.window_days, m.cap_per_day, m.buying_stage,
        {{ scoring_age_days('i.occurred_at', 'i.as_of') }} as age_days
    from interactions as i
    inner join signature_matches as m
        on m.interaction_type = i.interaction_type
            and m.content_category_key = {{ null_safe_key('i.content_category') }}
            and m.form_type_key = {{ null_safe_key('i.form_type') }}
            and m.url_key = {{ null_safe_key('i.url') }}
    where m.match_rank = 1
)

select
    interaction_id, lead_id, model_id, rule_id, category, buying_stage, occurred_at,
    cast(occurred_at as date) as occurred_on, age_days, points, half_life_days, window_days, cap_per_day,
    power(0.5, age_days / half_life_days) as decay_factor,
    points * power(0.5, age_days / half_life_days) as decayed_points
from matched
where window_days is null or age_days <= window_days

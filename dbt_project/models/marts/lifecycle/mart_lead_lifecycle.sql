{#- The lifecycle stage of every lead (champion model), with memory: the model reads its own previous
    state ({{ this }}) so that stages never move backwards silently. A lead that cools below the MQL exit
    threshold is *recycled* (an explicit, recorded regression); between the exit and entry thresholds an
    MQL stays MQL (hysteresis). A full refresh forgets that memory (docs/scoring.md). -#}
{{ config(materialized='incremental', unique_key='lead_id', incremental_strategy='delete+insert',
          on_schema_change='append_new_columns') }}

with scoring_models as (
    select * from {{ ref('scoring_models') }}
),

lifecycle_thresholds as (
    select * from {{ ref('lifecycle_thresholds') }}
),

lifecycle_stages as (
    select * from {{ ref('lifecycle_stages') }}
),

mart_lead_scores as (
    select * from {{ ref('mart_lead_scores') }}
),

fct_interactions as (
    select * from {{ ref('fct_interactions') }}
),

lifecycle_triggers as (
    select * from {{ ref('lifecycle_triggers') }}
),

fct_opportunities as (
    select * from {{ ref('fct_opportunities') }}
),

dim_leads as (
    select * from {{ ref('dim_leads') }}
),

as_of as (
    select {{ scoring_as_of() }} as as_of
),

champion as (
    select model_id from scoring_models where is_champion
),

thresholds as (
    select
        max(case when t.threshold_id = 'mql_enter_lead_score' then t.value end) as mql_enter,
        max(case when t.threshold_id = 'mql_exit_lead_score' then t.value end) as mql_exit,
        max(case when t.threshold_id = 'mql_min_fit_score' then t.value end) as mql_min_fit,
        max(case when t.threshold_id = 'mql_min_engagement_score' then t.value end) as mql_min_engagement,
        max(case when t.threshold_id = 'no_fit_max_fit_score' then t.value end) as no_fit_max,
        max(case when t.threshold_id = 'evangelist_min_engagement_score' then t.value end) as evangelist_min,
        max(case when t.threshold_id = 'pql_window_days' then t.value end) as pql_window_days,
        max(case when t.threshold_id = 'recycle_reentry_lead_score' then t.value end) as reentry
    from lifecycle_thresholds as t
    inner join champion as c on c.model_id = t.model_id
),

stages as (
    select lifecycle_stage, stage_order from lifecycle_stages
),

scores as (
    select s.lead_id, s.fit_score, s.engagement_score, s.lead_score, s.suppression_reason
    from mart_lead_scores as s
    inner join champion as c on c.model_id = s.model_id
),

interactions as (
    select
        i.lead_id, i.occurred_at, i.interaction_type, lower(i.content_category) as content_category,
        lower(i.form_type) as form_type, a.as_of
    from fct_interactions as i
    cross join as_of as a
    where i.occurred_at <= a.as_of and not coalesce(i.is_bot, false)
),

signals as (
    select
        i.lead_id,
        min(case when tr.signal = 'sql' then i.occurred_at end) as first_sql_at,
        max(case when tr.signal = 'pql' and {{ scoring_age_days('i.occurred_at', 'i.as_of') }} <= th.pql_window_days
                then i.occurred_at
        end) as pql_question_at,
        max(case when tr.signal = 'trial' and {{ scoring_age_days('i.occurred_at', 'i.as_of') }} <= th.pql_window_days
                then i.occurred_at
        end) as trial_at,
        max(case when tr.signal = 'pricing_activity'
                and {{ scoring_age_days('i.occurred_at', 'i.as_of') }} <= th.pql_window_days
                then i.occurred_at
        end) as pricing_at,
        min(case when tr.signal = 'subscribe' then i.occurred_at end) as first_subscribe_at
    from interactions as i
    inner join lifecycle_triggers as tr
        on tr.interaction_type = i.interaction_type
            and (
                nullif(tr.detail_match, '') is null
                or lower(tr.detail_match) = i.content_category or lower(tr.detail_match) = i.form_type
            )
    cross join thresholds as th
    group by i.lead_id
),

activity as (
    select
        lead_id,
        min(occurred_at) as first_activity_at,
        max(occurred_at) as last_activity_at,
        sum(case when interaction_type = 'form_submission' and coalesce(form_type, '') <> 'newsletter'
                or interaction_type in ('list_import', 'crm_activity', 'cta_click')
                then 1
            else 0
        end) as n_lead_signals
    from interactions
    group by lead_id
),

opportunities as (
    select
        o.lead_id,
        min(o.created_at) as first_opportunity_at,
        min(case when o.is_won and o.won_at <= a.as_of then o.won_at end) as first_won_at,
        sum(case when o.closed_at is null or o.closed_at > a.as_of then 1 else 0 end) as n_open,
        sum(case when o.is_closed and not o.is_won and o.closed_at <= a.as_of then 1 else 0 end) as n_lost,
        max(case when o.is_closed and not o.is_won and o.closed_at <= a.as_of then o.closed_at end) as last_lost_at
    from fct_opportunities as o
    cross join as_of as a
    where o.lead_id is not null and o.created_at <= a.as_of
    group by o.lead_id
),

post_win as (
    -- Advocacy evidence: a form or an e-mail click after the lead became a customer.
    select i.lead_id, count(*) as n_post_win_signals
    from interactions as i
    inner join opportunities as o on o.lead_id = i.lead_id
    where o.first_won_at is not null and i.occurred_at > o.first_won_at
        and i.interaction_type in ('form_submission', 'email_click')
    group by i.lead_id
),

facts as (
    select
        l.lead_id, l.first_touch_utm_source, l.first_touch_utm_campaign,
        coalesce(l.first_seen_at, l.created_at, act.first_activity_at) as first_seen_at,
        s.fit_score, s.engagement_score, s.lead_score,
        case when s.suppression_reason = 'competitor_domain' then 'competitor'
            when s.suppression_reason = 'spam_reported' then 'spam'
            when l.seniority = 'student' then 'student'
            when coalesce(l.is_enriched, false) and s.fit_score < th.no_fit_max then 'no_fit'
        end as disqualified_reason,
        sig.first_sql_at, sig.first_subscribe_at,
        case when sig.pql_question_at is not null then sig.pql_question_at
            when sig.trial_at is not null and sig.pricing_at is not null
                then case when sig.trial_at > sig.pricing_at then sig.trial_at else sig.pricing_at end
        end as pql_at,
        coalesce(act.n_lead_signals, 0) as n_lead_signals,
        act.first_activity_at, act.last_activity_at,
        coalesce(pw.n_post_win_signals, 0) as n_post_win_signals,
        opp.first_opportunity_at, opp.first_won_at, coalesce(opp.n_open, 0) as n_open,
        coalesce(opp.n_lost, 0) as n_lost, opp.last_lost_at,
        th.*, a.as_of
    from dim_leads as l
    cross join thresholds as th
    cross join as_of as a
    inner join scores as s on s.lead_id = l.lead_id
    left join signals as sig on sig.lead_id = l.lead_id
    left join activity as act on act.lead_id = l.lead_id
    left join opportunities as opp on opp.lead_id = l.lead_id
    left join post_win as pw on pw.lead_id = l.lead_id
),

candidates as (
    -- The stage the evidence supports today, ignoring history, and when that evidence appeared.
    select
        facts.*,
        case when first_won_at is not null and engagement_score >= evangelist_min and n_post_win_signals > 0
                then 'evangelist'
            when first_won_at is not null then 'customer'
            when disqualified_reason is not null then 'disqualified'
            when n_open > 0 then 'opportunity'
            when n_lost > 0 then 'recycled'
            when first_sql_at is not null then 'sql'
            when pql_at is not null then 'pql'
            when lead_score >= mql_enter and fit_score >= mql_min_fit and engagement_score >= mql_min_engagement
                then 'mql'
            when first_subscribe_at is not null and n_lead_signals = 0 then 'subscriber'
            else 'lead'
        end as candidate_stage
    from facts
),

evidenced as (
    select
        candidates.*,
        case candidate_stage
            when 'evangelist' then coalesce(last_activity_at, first_won_at)
            when 'customer' then first_won_at
            when 'disqualified' then coalesce(first_seen_at, as_of)
            when 'opportunity' then first_opportunity_at
            when 'recycled' then last_lost_at
            when 'sql' then first_sql_at
            when 'pql' then pql_at
            when 'mql' then coalesce(last_activity_at, as_of)
            when 'subscriber' then coalesce(first_subscribe_at, first_seen_at)
            else coalesce(first_seen_at, first_activity_at)
        end as candidate_at
    from candidates
),

previous as (
    {% if is_incremental() %}
    select lead_id, lifecycle_stage, previous_stage, stage_entered_at, regression_from_stage,
           became_mql_at, became_pql_at, became_sql_at, became_opportunity_at, became_customer_at,
           became_evangelist_at, recycled_at, times_recycled
    from {{ this }}
    {% else %}
        select
            cast(null as {{ dbt.type_string() }}) as lead_id, cast(null as {{ dbt.type_string() }}) as lifecycle_stage,
            cast(null as {{ dbt.type_string() }}) as previous_stage, cast(null as {{ dbt.type_timestamp() }}) as stage_entered_at,
            cast(null as {{ dbt.type_string() }}) as regression_from_stage,
            cast(null as {{ dbt.type_timestamp() }}) as became_mql_at, cast(null as {{ dbt.type_timestamp() }}) as became_pql_at,
            cast(null as {{ dbt.type_timestamp() }}) as became_sql_at, cast(null as {{ dbt.type_timestamp() }}) as became_opportunity_at,
            cast(null as {{ dbt.type_timestamp() }}) as became_customer_at, cast(null as {{ dbt.type_timestamp() }}) as became_evangelist_at,
            cast(null as {{ dbt.type_timestamp() }}) as recycled_at, cast(0 as integer) as times_recycled
        where 1 = 0
    {% endif %}
),

decided as (
    select
        e.*,
        p.lead_id is not null as has_previous,
        p.lifecycle_stage as prev_stage, p.previous_stage as prev_previous_stage,
        p.stage_entered_at as prev_entered_at, p.regression_from_stage as prev_regression_from,
        p.became_mql_at as prev_mql_at, p.became_pql_at as prev_pql_at, p.became_sql_at as prev_sql_at,
        p.became_opportunity_at as prev_opportunity_at, p.became_customer_at as prev_customer_at,
        p.became_evangelist_at as prev_evangelist_at, p.recycled_at as prev_recycled_at,
        coalesce(p.times_recycled, 0) as prev_times_recycled,
        cs.stage_order as candidate_order, ps.stage_order as previous_order,
        case
            when p.lead_id is null then e.candidate_stage
            when e.candidate_stage = p.lifecycle_stage then p.lifecycle_stage
            when e.candidate_stage in ('customer', 'evangelist') and cs.stage_order > ps.stage_order
                then e.candidate_stage
            when p.lifecycle_stage = 'disqualified' then 'disqualified'
            when e.candidate_stage = 'disqualified' then 'disqualified'
            when e.candidate_stage = 'recycled' and p.lifecycle_stage = 'opportunity' then 'recycled'
            when cs.stage_order > ps.stage_order
                then case when p.lifecycle_stage = 'recycled' and e.candidate_stage = 'mql'
                            and e.lead_score < e.reentry then 'recycled'
                        else e.candidate_stage
                    end
            when p.lifecycle_stage in ('mql', 'pql') and e.lead_score < e.mql_exit then 'recycled'
            else p.lifecycle_stage
        end as lifecycle_stage
    from evidenced as e
    left join previous as p on p.lead_id = e.lead_id
    left join stages as cs on cs.lifecycle_stage = e.candidate_stage
    left join stages as ps on ps.lifecycle_stage = p.lifecycle_stage
),

dated as (
    select
        decided.*,
        not has_previous or lifecycle_stage <> prev_stage as is_stage_change,
        case
            when not has_previous then coalesce(candidate_at, as_of)
            when lifecycle_stage = prev_stage then prev_entered_at
            when lifecycle_stage = candidate_stage and candidate_stage <> 'recycled'
                then case when coalesce(candidate_at, as_of) > prev_entered_at
                            then coalesce(candidate_at, as_of)
                        else prev_entered_at
                    end
            else as_of
        end as stage_entered_at
    from decided
)

select
    lead_id,
    lifecycle_stage,
    case when not has_previous then cast(null as {{ dbt.type_string() }})
        when is_stage_change then prev_stage else prev_previous_stage
    end as previous_stage,
    stage_entered_at,
    candidate_stage,
    case
        when lifecycle_stage = 'disqualified' then 'disqualified: ' || coalesce(disqualified_reason, 'earlier decision')
        when lifecycle_stage = 'recycled' and is_stage_change and prev_stage in ('mql', 'pql')
            then 'recycled: lead_score ' || cast(lead_score as {{ dbt.type_string() }}) || ' fell below '
                || {{ double_text('mql_exit') }}
        when lifecycle_stage = 'recycled' and candidate_stage = 'recycled' then 'recycled: opportunity lost'
        when lifecycle_stage <> candidate_stage
            then 'held at ' || lifecycle_stage || ' (no silent regression; evidence now says ' || candidate_stage || ')'
        when lifecycle_stage = 'mql'
            then 'lead_score ' || cast(lead_score as {{ dbt.type_string() }}) || ' >= '
                || {{ double_text('mql_enter') }}
        when lifecycle_stage = 'sql' then 'asked for a demo / sales contact or accepted by sales'
        when lifecycle_stage = 'pql' then 'trial user asking about paid features'
        else 'evidence: ' || candidate_stage
    end as stage_reason,
    lifecycle_stage = 'recycled' as is_recycled,
    case when lifecycle_stage = 'recycled' and is_stage_change then prev_stage
        when lifecycle_stage = 'recycled' then prev_regression_from
    end as regression_from_stage,
    disqualified_reason,
    fit_score,
    engagement_score,
    lead_score,
    -- Milestones are history: once reached they stay, whatever the lead's stage becomes (recycled after a
    -- lost deal, disqualified, regressed). A deal is the evidence of the opportunity milestone (and implies
    -- the sales hand-off: SQL at the earlier of the first SQL signal and the deal); a won deal of the
    -- customer milestone.
    coalesce(prev_mql_at, case when lifecycle_stage = 'mql' then stage_entered_at end) as became_mql_at,
    coalesce(prev_pql_at, case when lifecycle_stage = 'pql' then stage_entered_at end) as became_pql_at,
    coalesce(
        prev_sql_at, case when lifecycle_stage = 'sql' then stage_entered_at end,
        case when first_opportunity_at is not null
                then {{ scoring_least_ts(['first_sql_at', 'first_opportunity_at']) }}
        end
    ) as became_sql_at,
    coalesce(
        prev_opportunity_at, first_opportunity_at,
        case when lifecycle_stage = 'opportunity' then stage_entered_at end
    ) as became_opportunity_at,
    coalesce(
        prev_customer_at, first_won_at,
        case when lifecycle_stage = 'customer' then stage_entered_at end
    ) as became_customer_at,
    coalesce(prev_evangelist_at, case when lifecycle_stage = 'evangelist' then stage_entered_at end) as became_evangelist_at,
    case when lifecycle_stage = 'recycled' and is_stage_change then stage_entered_at else prev_recycled_at end as recycled_at,
    cast(prev_times_recycled + case when lifecycle_stage = 'recycled' and is_stage_change then 1 else 0 end as integer)
        as times_recycled,
    first_seen_at,
    first_touch_utm_source,
    first_touch_utm_campaign,
    is_stage_change as changed_in_last_run,
    as_of as evaluated_at
from dated

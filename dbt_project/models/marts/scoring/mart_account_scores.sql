-- One row per account (company domain) per scoring model: lead scores rolled up with the aggregation
-- of seeds/scoring_account_config.csv (fit: max | avg | top_n_avg; engagement: sum | max | top_n_sum |
-- decayed_sum = every decayed interaction point of the account before per-lead caps), clamped to 0-100,
-- plus persona coverage (share of the model's personas matched by a good-fit lead).
with account_config as (
    select * from {{ ref('scoring_account_config') }}
),

lead_scores as (
    select * from {{ ref('mart_lead_scores') }}
),

dim_leads as (
    select * from {{ ref('dim_leads') }}
),

engagement_events as (
    select * from {{ ref('int_scoring_engagement__events') }}
),

scoring_personas as (
    select * from {{ ref('scoring_personas') }}
),

config as (
    select model_id, fit_aggregation, engagement_aggregation, top_n, good_fit_min_score
    from account_config
),

account_leads as (
    select
        leads.company_domain, scores.*,
        row_number() over (
            partition by leads.company_domain, scores.model_id
            order by scores.fit_score desc, scores.lead_id
        ) as fit_rank,
        row_number() over (
            partition by leads.company_domain, scores.model_id
            order by scores.engagement_score desc, scores.lead_id
        ) as engagement_rank
    from lead_scores as scores
    inner join dim_leads as leads on leads.lead_id = scores.lead_id
    where leads.company_domain is not null and not coalesce(leads.is_free_email, false)
),

decayed as (
    select leads.company_domain, events.model_id, sum(events.decayed_points) as decayed_points
    from engagement_events as events
    inner join dim_leads as leads on leads.lead_id = events.lead_id
    where leads.company_domain is not null and not coalesce(leads.is_free_email, false)
    group by leads.company_domain, events.model_id
),

personas as (
    select model_id, count(*) as n_personas from scoring_personas group by model_id
),

rolled as (
    select
        a.company_domain, a.model_id,
        count(*) as lead_count,
        max(a.fit_score) as fit_max,
        avg(a.fit_score) as fit_avg,
        avg(case when a.fit_rank <= c.top_n then a.fit_score end) as fit_top_n_avg,
        sum(a.engagement_score) as engagement_sum,
        max(a.engagement_score) as engagement_max,
        sum(case when a.engagement_rank <= c.top_n then a.engagement_score else 0 end) as engagement_top_n_sum,
        count(distinct case when a.fit_score >= c.good_fit_min_score then a.best_persona_id end) as personas_covered,
        sum(case when a.lifecycle_ok then 1 else 0 end) as n_unsuppressed,
        max(c.fit_aggregation) as fit_aggregation,
        max(c.engagement_aggregation) as engagement_aggregation
    from (select account_leads.*, not is_suppressed as lifecycle_ok from account_leads) as a
    inner join config as c on c.model_id = a.model_id
    group by a.company_domain, a.model_id
),

scored as (
    select
        r.*,
        case r.fit_aggregation when 'max' then r.fit_max when 'avg' then r.fit_avg else r.fit_top_n_avg end as fit_raw,
        case r.engagement_aggregation
            when 'sum' then r.engagement_sum
            when 'max' then r.engagement_max
            when 'decayed_sum' then coalesce(d.decayed_points, 0)
            else r.engagement_top_n_sum
        end as engagement_raw,
        p.n_personas
    from rolled as r
    left join decayed as d on d.company_domain = r.company_domain and d.model_id = r.model_id
    left join personas as p on p.model_id = r.model_id
)

select
    {{ dbt.hash("company_domain || '|' || model_id") }} as account_score_id,
    company_domain,
    model_id,
    cast(lead_count as integer) as lead_count,
    cast(n_unsuppressed as integer) as unsuppressed_lead_count,
    {{ scoring_points('case when fit_raw > 100 then 100 when fit_raw < 0 then 0 else fit_raw end') }} as account_fit_score,
    {{ scoring_points('case when engagement_raw > 100 then 100 when engagement_raw < 0 then 0 else engagement_raw end') }}
        as account_engagement_score,
    cast(personas_covered as integer) as personas_covered,
    {{ scoring_points('cast(personas_covered as ' ~ scoring_float() ~ ') / nullif(n_personas, 0)') }} as persona_coverage,
    fit_aggregation,
    engagement_aggregation,
    {{ scoring_as_of() }} as scored_at
from scored

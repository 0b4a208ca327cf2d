-- One row per lead x model that is suppressed: the highest-priority enabled reason, and all of them.
with leads as (
    select
        l.lead_id, l.is_free_email, l.is_unsubscribed, l.is_hard_bounced, l.is_spam_reported,
        d.reason_code as domain_reason
    from {{ ref('dim_leads') }} as l
    left join {{ ref('suppression_domains') }} as d
        on d.domain = lower(l.email_domain) or d.domain = lower(l.company_domain)
),

reasons as (
    select lead_id, 'spam_reported' as reason_code from leads where is_spam_reported
    union all
    select lead_id, 'hard_bounced' as reason_code from leads where is_hard_bounced
    union all
    select lead_id, 'unsubscribed' as reason_code from leads where is_unsubscribed
    union all
    select lead_id, 'free_email' as reason_code from leads where is_free_email
    union all
    select lead_id, domain_reason as reason_code from leads where domain_reason is not null
),

enabled as (
    select
        r.lead_id, s.model_id, s.reason_code, s.priority,
        row_number() over (partition by r.lead_id, s.model_id order by s.priority, s.reason_code) as reason_rank
    from (select distinct lead_id, reason_code from reasons) as r
    inner join {{ ref('suppression_reasons') }} as s
        on s.reason_code = r.reason_code and s.is_enabled
)

select
    lead_id, model_id,
    max(case when reason_rank = 1 then reason_code end) as suppression_reason,
    count(*) as n_reasons
from enabled
group by lead_id, model_id

-- One row per Segment userId that is not an email itself but was identified with one: the email its
-- identify calls carried (latest wins). Server-side libraries (analytics-python, analytics-node) send
-- track calls with only a userId, no anonymousId; this link is how they reach their lead.

with web as (

    select * from {{ ref('stg_segment__web_events') }}

)

select
    user_id,
    {{ latest_value('identified_email', 'occurred_at') }} as email,
    {{ lead_id(latest_value('identified_email', 'occurred_at')) }} as lead_id,
    min(occurred_at) as first_identified_at,
    max(loaded_at) as last_loaded_at
from web
where user_id is not null
    and user_id_email is null
    and identified_email is not null
group by user_id

-- A table, not a view: several models and tests read it, and stitching is recomputed in full each run.
{{ config(materialized='table') }}

-- Identity graph edges: an anonymous id (cookie) observed together with an email, or an email known
-- from a record of its own (list import, CRM deal, email event, a form or web call without a cookie:
-- anonymous_id is null there).
-- docs/formats.md §6.2. Invalid emails never make an edge (normalize_email returns null for them).

with web as (

    select * from {{ ref('stg_segment__web_events') }}

),

-- userIds that are not emails map to the email their identify calls carried (latest wins)
user_emails as (

    select user_id, email from {{ ref('int_identity__user_ids') }}

),

identify_edges as (

    select
        anonymous_id,
        coalesce(identified_email, user_id_email) as email,
        'identify' as edge_source,
        occurred_at as observed_at,
        message_id as source_record_id,
        loaded_at
    from web
    where event_type = 'identify'
        and anonymous_id is not null
        and coalesce(identified_email, user_id_email) is not null

),

user_id_edges as (

    -- any call carrying both an anonymous id and a userId that is (or maps to) an email;
    -- alias calls link previousId (else their anonymousId) to the userId
    select
        coalesce(case when web.event_type = 'alias' then web.previous_id end, web.anonymous_id) as anonymous_id,
        coalesce(web.user_id_email, user_emails.email) as email,
        case when web.event_type = 'alias' then 'alias' else 'user_id' end as edge_source,
        web.occurred_at as observed_at,
        web.message_id as source_record_id,
        web.loaded_at
    from web
    left join user_emails
        on web.user_id = user_emails.user_id
    where web.user_id is not null
        and coalesce(web.user_id_email, user_emails.email) is not null
        and coalesce(case when web.event_type = 'alias' then web.previous_id end, web.anonymous_id) is not null
        and not (web.event_type = 'identify' and web.identified_email is not null)

),

-- a web call with no cookie (server-side libraries send only a userId) still identifies its lead:
-- identify traits.email, an email userId, or a userId identified with an email
cookieless_web_edges as (

    select
        cast(null as {{ dbt.type_string() }}) as anonymous_id,
        coalesce(web.identified_email, web.user_id_email, user_emails.email) as email,
        case when web.event_type = 'identify' then 'identify' else 'user_id' end as edge_source,
        web.occurred_at as observed_at,
        web.message_id as source_record_id,
        web.loaded_at
    from web
    left join user_emails
        on web.user_id = user_emails.user_id
    where web.anonymous_id is null
        and coalesce(web.identified_email, web.user_id_email, user_emails.email) is not null

),

form_edges as (

    select anonymous_id, email, 'form' as edge_source, submitted_at as observed_at, submission_id as source_record_id, loaded_at
    from {{ ref('stg_forms__submissions') }}
    where anonymous_id is not null and email is not null

    union all

    select hutk as anonymous_id, email, 'form_hutk' as edge_source, submitted_at as observed_at, submission_id as source_record_id, loaded_at
    from {{ ref('stg_forms__submissions') }}
    where hutk is not null and email is not null and hutk <> coalesce(anonymous_id, '')

    union all

    -- a form with an email is an identification even without a cookie (anonymous_id / hutk):
    -- the email becomes a known lead that owns the submission
    select
        cast(null as {{ dbt.type_string() }}) as anonymous_id, email, 'form' as edge_source, submitted_at as observed_at,
        submission_id as source_record_id, loaded_at
    from {{ ref('stg_forms__submissions') }}
    where email is not null and anonymous_id is null and hutk is null

),

email_click_edges as (

    select
        url_ajs_uid as anonymous_id, email, 'email_click' as edge_source, occurred_at as observed_at,
        email_event_id as source_record_id, loaded_at
    from {{ ref('int_email__events') }}
    where event_type = 'click' and url_ajs_uid is not null and email is not null

),

known_email_edges as (

    select
        cast(null as {{ dbt.type_string() }}) as anonymous_id, email, 'list_import' as edge_source,
        imported_at as observed_at, list_member_id as source_record_id, loaded_at
    from {{ ref('stg_lead_lists__members') }}
    where email is not null

    union all

    select
        cast(null as {{ dbt.type_string() }}) as anonymous_id, email, 'crm' as edge_source,
        coalesce(created_at, updated_at) as observed_at, opportunity_id as source_record_id,
        loaded_at
    from {{ ref('stg_crm__deals') }}
    where email is not null

    union all

    select
        cast(null as {{ dbt.type_string() }}) as anonymous_id, email, 'email_event' as edge_source,
        occurred_at as observed_at, email_event_id as source_record_id, loaded_at
    from {{ ref('int_email__events') }}
    where email is not null

),

unioned as (

    select * from identify_edges
    union all
    select * from user_id_edges
    union all
    select * from cookieless_web_edges
    union all
    select * from form_edges
    union all
    select * from email_click_edges
    union all
    select * from known_email_edges

)

select
    {{ dbt.hash("edge_source || ':' || source_record_id || ':' || coalesce(anonymous_id, '')") }} as edge_id,
    anonymous_id,
    email,
    {{ lead_id('email') }} as lead_id,
    edge_source,
    observed_at,
    source_record_id,
    loaded_at
from unioned

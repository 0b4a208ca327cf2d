"""Build a scratch DuckDB warehouse shaped like docs/data-contracts.md, clean by default,
and the corruptions the quality suites must catch. SQL only (no Python row loops)."""

from __future__ import annotations

from pathlib import Path

import duckdb

SOURCES = {
    "web_events": "event_at",
    "email_events": "occurred_at",
    "form_submissions": "submitted_at",
    "lead_lists": None,
    "crm_deals": "updated_at",
}
DAYS = 10
LEADS = 400

CLEAN_SQL = f"""
create schema if not exists raw; create schema if not exists staging; create schema if not exists marts;

create or replace table raw.load_manifest as
select 'landing/' || s.source || '/dt=' || strftime(date '2026-01-01' + d.i::integer, '%Y-%m-%d') || '/part-001.jsonl' as path,
    s.source, 1000 as size_bytes, md5(s.source || d.i) as checksum, 'b' || d.i as batch_id,
    now() - interval 2 hour as loaded_at,
    1000 + (d.i % 3) * 20 as rows_in, 1000 + (d.i % 3) * 20 - 15 as rows_loaded,
    10 as rows_duplicate, 5 as rows_quarantined, 'loaded' as status
from (values ('web_events'), ('email_events'), ('form_submissions'), ('lead_lists'), ('crm_deals')) s(source),
     range({DAYS}) d(i);

create or replace table raw.web_events as
select 'f.jsonl' as _file, i::integer as _line, now() - interval 2 hour as _loaded_at, 'b1' as _batch_id,
    md5(i::varchar) as _row_hash, '{{}}'::json as payload, 'm' || i as message_id, 'page' as event_type,
    'a' || (i % 50) as anonymous_id, null as user_id,
    now() - interval 3 hour - to_minutes(i) as event_at, now() - interval 3 hour as received_at
from range(2000) r(i);
create or replace table raw.email_events as
select 'f.json' as _file, i::integer as _line, now() - interval 2 hour as _loaded_at, 'b1' as _batch_id,
    'sendgrid' as provider, 'e' || i as provider_event_id, 'open' as event_name, 'u' || (i % {LEADS}) || '@acme.com' as email,
    now() - interval 3 hour - to_minutes(i) as occurred_at
from range(2000) r(i);
create or replace table raw.form_submissions as
select 'f.jsonl' as _file, i::integer as _line, now() - interval 2 hour as _loaded_at, 'b1' as _batch_id,
    'hubspot' as provider, 'form1' as form_id, 's' || i as submission_id, 'u' || i || '@acme.com' as email,
    now() - interval 3 hour - to_minutes(i) as submitted_at
from range(300) r(i);
create or replace table raw.lead_lists as
select 'l.csv' as _file, i::integer as _line, now() - interval 2 hour as _loaded_at, 'b1' as _batch_id,
    'tradeshow' as list_kind, 'expo' as list_name, 'x' || i || '@acme.com' as email
from range(100) r(i);
create or replace table raw.crm_deals as
select 'd.csv' as _file, i::integer as _line, now() - interval 2 hour as _loaded_at, 'b1' as _batch_id,
    'hubspot' as provider, 'd' || i as deal_id, 'u' || i || '@acme.com' as email,
    now() - interval 3 hour as updated_at
from range(50) r(i);

create or replace table staging.stg_segment__web_events as
select message_id, event_type, anonymous_id, user_id, event_at as occurred_at, (i % 20 = 0) as is_bot
from (select *, _line as i from raw.web_events);
create or replace table staging.stg_email__events as
select provider, provider_event_id, 'msg' || _line as message_id, ' ' || upper(email) || ' ' as email,
    case when _line % 4 = 0 then 'delivered' else 'open' end as event_type,
    case when _line % 4 = 0 then 'delivered' else 'open' end as source_event_name, occurred_at,
    (_line % 4 = 1) as is_machine_open
from raw.email_events;
create schema if not exists intermediate;
create or replace view intermediate.int_email__events as select * from staging.stg_email__events;
create or replace table staging.stg_forms__submissions as
select submission_id, form_id, provider, lower(email) as email, submitted_at from raw.form_submissions;

create or replace table marts.mart_lead_scores as
with base as (
    select sha256('u' || i || '@acme.com') as lead_id, 'default' as model_id, '1' as model_version,
        (i * 7) % 61 as fit_score, (i * 13) % 41 as engagement_score, i from range({LEADS}) r(i))
select lead_id, model_id, model_version, fit_score, 'p1' as best_persona_id,
    case when fit_score >= 45 then 'A' when fit_score >= 30 then 'B' when fit_score >= 15 then 'C' else 'D' end as fit_grade,
    engagement_score, 1 + (engagement_score // 11) as engagement_band,
    case when engagement_score > 30 then 'decision' when engagement_score > 15 then 'consideration' else 'awareness' end as buying_stage,
    (case when fit_score >= 45 then 'A' when fit_score >= 30 then 'B' when fit_score >= 15 then 'C' else 'D' end)
        || (1 + (engagement_score // 11))::varchar as tier,
    case when fit_score + engagement_score > 70 then 'hot' when fit_score + engagement_score > 35 then 'warm' else 'cold' end as temperature,
    round(fit_score * 0.6 + engagement_score, 2) as lead_score, false as is_suppressed, null as suppression_reason,
    now() as scored_at
from base;

create or replace table marts.mart_lead_score_explanations as
select lead_id, model_id, 'fit' as score_type, 'fit_rule_a' as rule_id, fit_score - (fit_score // 2) as points, 'a' as detail from marts.mart_lead_scores
union all select lead_id, model_id, 'fit', 'fit_rule_b', fit_score // 2, 'b' from marts.mart_lead_scores where fit_score // 2 > 0
union all select lead_id, model_id, 'engagement', 'eng_rule', engagement_score, 'c' from marts.mart_lead_scores where engagement_score > 0;

create or replace table marts.mart_lead_lifecycle as
select lead_id,
    case when i % 20 = 0 then 'customer' when i % 10 = 1 then 'sql' when i % 5 = 2 then 'mql'
         when i % 17 = 3 then 'disqualified' when i % 3 = 0 then 'subscriber' else 'lead' end as lifecycle_stage,
    case when i % 20 = 0 then 'opportunity' when i % 10 = 1 then 'mql' when i % 5 = 2 then 'lead' else null end as previous_stage,
    now() - interval 1 day as stage_entered_at, false as is_recycled
from (select lead_id, row_number() over (order by lead_id) - 1 as i from marts.mart_lead_scores);

create or replace table marts.mart_lead_activation as
select s.lead_id, 'u@acme.com' as email, null as crm_id, 'F' as first_name, 'L' as last_name, 'Acme' as company_name,
    s.fit_score, s.engagement_score, s.lead_score, s.fit_grade, s.tier, s.temperature, s.buying_stage,
    l.lifecycle_stage, s.model_version, s.scored_at, true as consent_to_process, false as is_unsubscribed,
    false as is_hard_bounced, l.lifecycle_stage = 'disqualified' as is_disqualified
from marts.mart_lead_scores s join marts.mart_lead_lifecycle l using (lead_id);

create or replace table marts.fct_lead_stage_transitions as
select lead_id, null::varchar as from_stage, 'lead' as to_stage, now() - interval 10 day as transitioned_at, false as is_recycled
from marts.mart_lead_lifecycle
union all select lead_id, 'lead', 'mql', now() - interval 5 day, false from marts.mart_lead_lifecycle where lifecycle_stage in ('mql', 'sql', 'customer')
union all select lead_id, 'mql', 'sql', now() - interval 4 day, false from marts.mart_lead_lifecycle where lifecycle_stage in ('sql', 'customer')
union all select lead_id, 'sql', 'opportunity', now() - interval 3 day, false from marts.mart_lead_lifecycle where lifecycle_stage = 'customer'
union all select lead_id, 'opportunity', 'customer', now() - interval 2 day, false from marts.mart_lead_lifecycle where lifecycle_stage = 'customer'
union all select lead_id, 'lead', 'disqualified', now() - interval 2 day, false from marts.mart_lead_lifecycle where lifecycle_stage = 'disqualified'
union all select lead_id, 'sql', 'recycled', now() - interval 1 day, true from (select * from marts.mart_lead_lifecycle where lifecycle_stage = 'lead' limit 3);
"""

#: name -> SQL that breaks exactly one rule (applied on top of the clean warehouse)
CORRUPTIONS = {
    # a load (landing day) where 30 % of the rows arrived twice
    "duplicates_30pct": """
        update raw.load_manifest set rows_duplicate = 300, rows_loaded = rows_in - 305
        where source = 'web_events' and path like '%dt=2026-01-10%'""",
    # the same duplicates reaching staging: 30 % of message ids twice
    "staging_duplicates_30pct": """
        insert into staging.stg_segment__web_events
        select * from staging.stg_segment__web_events using sample 30 percent (reservoir, 42)""",
    "score_above_100": """
        update marts.mart_lead_scores set lead_score = 130 where fit_score = 12""",
    "volume_10x": """
        update raw.load_manifest set rows_in = rows_in * 10, rows_loaded = rows_loaded * 10
        where source = 'email_events' and path like '%dt=2026-01-09%'""",
    "regression_without_recycle": """
        insert into marts.fct_lead_stage_transitions
        select lead_id, 'sql', 'lead', now(), false from marts.mart_lead_lifecycle
        where lifecycle_stage = 'sql' limit 2""",
    # a tracking change: every event of the busiest day flagged as a bot
    "bot_spike": """
        update staging.stg_segment__web_events set is_bot = true
        where cast(occurred_at as date) = (select cast(occurred_at as date) from staging.stg_segment__web_events
                                           group by 1 order by count(*) desc limit 1)""",
    # a tracking change: every open of the busiest day flagged as a machine open
    "machine_open_spike": """
        update staging.stg_email__events set is_machine_open = true
        where event_type = 'open'
          and cast(occurred_at as date) = (select cast(occurred_at as date) from staging.stg_email__events
                                           group by 1 order by count(*) desc limit 1)""",
    "unknown_provider": """
        update staging.stg_email__events set provider = 'postmark' where provider_event_id in ('e1', 'e2', 'e3')""",
}


def build_warehouse(path: Path, corruption: str | None = None) -> Path:
    """Write a clean contract-shaped warehouse at ``path`` (then one corruption)."""
    with duckdb.connect(str(path)) as con:
        con.execute(CLEAN_SQL)
        if corruption:
            con.execute(CORRUPTIONS[corruption])
    return path

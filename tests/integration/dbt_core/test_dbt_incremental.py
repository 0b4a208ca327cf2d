"""fct_interactions incremental runs: late identity edges re-stitch old events, and a full refresh
gives exactly the rows of the incremental history."""

from __future__ import annotations

import hashlib
from datetime import datetime

import duckdb
import pytest

from tests.integration.dbt_core.conftest import DbtCore, load_raw_fixture

pytestmark = pytest.mark.slow

HELD_BACK = ("m-018", "m-012")  # Carol's identify (her only edge), the kiosk's 4th identify
NO_TESTS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
COLUMNS = """interaction_id, lead_id, occurred_at, source, interaction_type, interaction_detail,
    content_category, form_type, channel, utm_source, utm_medium, utm_campaign, url, anonymous_id,
    session_id, is_machine_open, is_bot, is_stitched"""


def lead(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


def test_incremental_restitching_equals_full_refresh(tmp_path):
    core = DbtCore(tmp_path / "wh.duckdb", tmp_path)
    load_raw_fixture(core.warehouse)
    with duckdb.connect(str(core.warehouse)) as con:
        con.execute(
            f"create table raw.held_back as select * from raw.web_events where message_id in {HELD_BACK}"
        )
        con.execute(f"delete from raw.web_events where message_id in {HELD_BACK}")
    core.build(*NO_TESTS)

    carol = lead("carol@gmail.com")
    assert (
        core.scalar(
            f"select count(*) from marts.fct_interactions where lead_id = '{carol}' and source = 'web'"
        )
        == 0
    )
    # before the 4th email the kiosk resolves to its latest identify (k3) and its /demo view counts for k3
    assert core.query(
        "select lead_id from marts.fct_interactions where anonymous_id = 'anon-3'"
    ) == [(lead("k3@initech.com"),)]

    # the held-back identify calls arrive in a later load (after the CRM export of 2024-05-20)
    with duckdb.connect(str(core.warehouse)) as con:
        con.execute(
            "insert into raw.web_events select * replace (timestamptz '2024-05-21 00:00:00+00' as _loaded_at) "
            "from raw.held_back"
        )
        con.execute("drop table raw.held_back")
    core.run(
        "run", "--select", "+fct_interactions"
    )  # an hourly run: intermediates rebuilt, the fact incremental
    incremental = core.query(
        f"select {COLUMNS} from marts.fct_interactions order by interaction_id"
    )

    assert core.query(
        f"select interaction_detail, is_stitched from marts.fct_interactions "
        f"where lead_id = '{carol}' and source = 'web' order by occurred_at"
    ) == [("/docs/api", True), ("/integrations", True), ("/pricing", True)]
    assert (
        core.scalar("select count(*) from marts.fct_interactions where anonymous_id = 'anon-3'")
        == 0
    )

    core.run(
        "build",
        "--full-refresh",
        "--select",
        "fct_interactions",
        "--indirect-selection",
        "cautious",
    )
    full = core.query(f"select {COLUMNS} from marts.fct_interactions order by interaction_id")
    assert len(full) == 34
    assert incremental == full


STAGING = {
    "stg_segment__web_events": ("web_events", "message_id", "message_id in ('m-018', 'm-012')"),
    "stg_forms__submissions": ("form_submissions", "submission_id", "submission_id = 'hs-1'"),
    "stg_lead_lists__members": (
        "lead_lists",
        "list_member_id",
        "_line = 2 and _file like '%q2-fintech%'",
    ),
}


def test_incremental_staging_equals_full_refresh(tmp_path):
    """Staging parses each raw row once: a later load adds only the new rows, and the result is
    row for row what a full build of the same raw gives."""
    core = DbtCore(tmp_path / "wh.duckdb", tmp_path)
    load_raw_fixture(core.warehouse)
    with duckdb.connect(str(core.warehouse)) as con:
        for raw, _key, held in STAGING.values():
            con.execute(f"create table raw.held_{raw} as select * from raw.{raw} where {held}")
            con.execute(f"delete from raw.{raw} where {held}")
    selection = ("--select", "path:dbt_project/models/staging", "--exclude", "stg_crm__deals")
    core.run("run", *selection)
    before = {m: core.scalar(f"select count(*) from staging.{m}") for m in STAGING}

    with duckdb.connect(str(core.warehouse)) as con:
        for _model, (raw, _key, _held) in STAGING.items():
            con.execute(
                f"insert into raw.{raw} select * replace "
                f"(timestamptz '2024-05-21 00:00:00+00' as _loaded_at) from raw.held_{raw}"
            )
            con.execute(f"drop table raw.held_{raw}")
    core.run("run", *selection)
    incremental = {
        m: core.query(f"select * from staging.{m} order by {k}") for m, (_, k, _) in STAGING.items()
    }
    # the held-back rows arrived: two identify calls, one form, one list member
    assert {m: len(rows) - before[m] for m, rows in incremental.items()} == {
        "stg_segment__web_events": 2,
        "stg_forms__submissions": 1,
        "stg_lead_lists__members": 1,
    }
    # a second run with nothing new adds nothing
    core.run("run", *selection)
    assert {m: core.scalar(f"select count(*) from staging.{m}") for m in STAGING} == {
        m: len(rows) for m, rows in incremental.items()
    }

    core.run("run", "--full-refresh", *selection)
    full = {
        m: core.query(f"select * from staging.{m} order by {k}") for m, (_, k, _) in STAGING.items()
    }
    assert full == incremental


SESSIONS_HELD = ("m-016", "m-020")  # Carol's mid-visit page view, Erin's only page view


def test_incremental_sessions_equal_full_refresh(tmp_path):
    """Sessions are rebuilt only for the visitors with new activity: a late page view that moves a
    session boundary renumbers that visitor's sessions, a new visitor gets theirs, and the table is
    row for row what a full refresh gives."""
    core = DbtCore(tmp_path / "wh.duckdb", tmp_path)
    load_raw_fixture(core.warehouse)
    with duckdb.connect(str(core.warehouse)) as con:
        con.execute(
            "create table raw.held_back as select * from raw.web_events "
            f"where message_id in {SESSIONS_HELD}"
        )
        con.execute(f"delete from raw.web_events where message_id in {SESSIONS_HELD}")
    selection = ("--select", "+int_sessions__page_views")
    core.run("run", *selection)
    session_of = (
        "select message_id, session_number from intermediate.int_sessions__page_views "
        "where visitor_id = 'anon-5' order by occurred_at"
    )
    # without 12:29:59 the gap from 12:00 to 12:59:59 is 3599 s: two sessions
    assert core.query(session_of) == [("m-015", 1), ("m-017", 2)]
    untouched = core.query(
        "select * from intermediate.int_sessions__page_views where visitor_id = 'anon-1' "
        "order by message_id"
    )

    with duckdb.connect(str(core.warehouse)) as con:
        con.execute(
            "insert into raw.web_events select * replace "
            "(timestamptz '2024-05-21 00:00:00+00' as _loaded_at) from raw.held_back"
        )
        con.execute("drop table raw.held_back")
    core.run("run", *selection)
    # 1799 s then 1800 s: m-016 joins the first session, m-017 still starts the second
    assert core.query(session_of) == [("m-015", 1), ("m-016", 1), ("m-017", 2)]
    assert core.query(
        "select message_id, session_number from intermediate.int_sessions__page_views "
        "where visitor_id = 'hutk-erin'"
    ) == [("m-020", 1)]
    # a visitor without new activity keeps its rows (their load time included)
    assert (
        core.query(
            "select * from intermediate.int_sessions__page_views where visitor_id = 'anon-1' "
            "order by message_id"
        )
        == untouched
    )
    incremental = core.query(
        "select * from intermediate.int_sessions__page_views order by message_id"
    )

    core.run("run", "--full-refresh", *selection)
    full = core.query("select * from intermediate.int_sessions__page_views order by message_id")
    assert len(full) == 12  # the fixture's page and track calls (m-002 once)
    assert incremental == full


def test_incremental_email_events_equal_full_refresh(tmp_path):
    """int_email__events recomputes the messages with a new event: a delivery that arrives after
    the message's open gives the old open row its delivery time, other messages keep their rows,
    and the table is row for row what a full refresh gives."""
    core = DbtCore(tmp_path / "wh.duckdb", tmp_path)
    load_raw_fixture(core.warehouse)
    held = "provider_event_id = 'sg-4'"  # Jane's delivery of msg-j1; her open sg-5 stays
    with duckdb.connect(str(core.warehouse)) as con:
        con.execute(f"create table raw.held_back as select * from raw.email_events where {held}")
        con.execute(f"delete from raw.email_events where {held}")
    selection = ("--select", "+int_interactions__other_sources")
    core.run("build", *NO_TESTS, *selection)
    open_row = (
        "select delivered_at, is_machine_open from intermediate.int_email__events "
        "where provider_event_id = 'sg-5'"
    )
    assert core.query(open_row) == [(None, False)]
    other = "select * from intermediate.int_email__events where message_id = 'msg-d1' order by 1"
    untouched = core.query(other)
    assert len(untouched) == 3

    with duckdb.connect(str(core.warehouse)) as con:
        con.execute(
            "insert into raw.email_events select * replace "
            "(timestamptz '2024-05-21 00:00:00+00' as _loaded_at) from raw.held_back"
        )
        con.execute("drop table raw.held_back")
    core.run("build", *NO_TESTS, *selection)
    # delivered 10:00:00, opened 11:01:40: not within the 60 s of a machine open
    assert core.query(open_row) == [(datetime(2024, 5, 6, 10, 0), False)]
    assert core.query(other) == untouched
    tables = {
        "staging.stg_email__events": "email_event_id",
        "intermediate.int_email__events": "email_event_id",
        "intermediate.int_interactions__other_sources": "interaction_id",
    }
    incremental = {t: core.query(f"select * from {t} order by {k}") for t, k in tables.items()}

    core.run("build", "--full-refresh", *NO_TESTS, *selection)
    for table, key in tables.items():
        assert core.query(f"select * from {table} order by {key}") == incremental[table], table

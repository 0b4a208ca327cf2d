"""The hourly path on generated data: the newest day of every source lands after a build, the
incremental models take it in, and every one of them is then row for row what a full refresh of
the same raw gives (docs/warehouse.md, "Incremental models")."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from benchmarks.run import hold_back_newest_day
from orchestration.ingestion.ingest import ingest_all
from orchestration.sample_data.engine import generate
from orchestration.transform.dbt_args import HOURLY_TEST_SCOPE, TEST_SCOPE_ENV
from tests.integration.dbt_core.conftest import DbtCore

pytestmark = pytest.mark.slow

#: every incremental model of the hourly path, with its key
INCREMENTAL = {
    "staging.stg_segment__web_events": "message_id",
    "staging.stg_forms__submissions": "submission_id",
    "staging.stg_lead_lists__members": "list_member_id",
    "staging.stg_email__events": "email_event_id",
    "intermediate.int_email__events": "email_event_id",
    "intermediate.int_interactions__other_sources": "interaction_id",
    "intermediate.int_sessions__page_views": "message_id",
    "intermediate.int_interactions__web": "interaction_id",
    "marts.fct_interactions": "interaction_id",
    "marts.fct_web_sessions": "session_id",
}
SELECTION = ("--select", "+fct_interactions", "+fct_web_sessions")
NO_TESTS = ("--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")
QUESTION = "select interaction_id, lead_id, session_id, loaded_at from marts.fct_interactions"


#: the incremental web models' high-water-mark column, which tables built before it lack
MARK = "inputs_loaded_at"
MARKED = ("intermediate.int_interactions__web", "marts.fct_web_sessions")


def tiny_without_its_newest_day(tmp_path, monkeypatch) -> tuple:  # noqa: ANN001
    """``tiny`` generated into ``tmp_path/landing`` with its newest day moved aside (nothing
    ingested yet): (landing, a DbtCore on ``tmp_path/wh.duckdb``, the moves to undo)."""
    landing, core = tmp_path / "landing", DbtCore(tmp_path / "wh.duckdb", tmp_path)
    monkeypatch.setenv("LEADHOUSE_LANDING", str(landing))
    monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(core.warehouse))
    monkeypatch.setenv("LEADHOUSE_OUTPUT", str(tmp_path / "output"))
    generate("tiny", 42, landing)
    return landing, core, hold_back_newest_day(landing, tmp_path / "aside")


def _rows(core: DbtCore) -> dict[str, list[tuple]]:
    """Each table's rows in key order, every row as its (column, value) pairs sorted by column:
    a column appended by on_schema_change compares equal to the same column built in place."""
    rows = {}
    with duckdb.connect(str(core.warehouse), read_only=True) as con:
        for table, key in INCREMENTAL.items():
            cur = con.execute(f"select * from {table} order by {key}")
            names = [d[0] for d in cur.description]
            rows[table] = [tuple(sorted(zip(names, r, strict=True))) for r in cur.fetchall()]
    return rows


@pytest.mark.parametrize("upgrade", [False, True], ids=["hourly", "from-a-table-without-the-mark"])
def test_hourly_day_incremental_equals_full_refresh(tmp_path, monkeypatch, upgrade):
    """``upgrade``: the tables were built by a Leadhouse from before the incremental web models'
    mark column; the next run recomputes every visitor once instead of failing."""
    landing, core, moves = tiny_without_its_newest_day(tmp_path, monkeypatch)
    assert {original.parent.name for original, _ in moves} >= {"web_events", "email_events"}
    ingest_all(landing_dir=landing, warehouse_path=core.warehouse)
    core.run("build", *NO_TESTS, *SELECTION)
    before = set(core.query(QUESTION))
    first_load = core.scalar("select max(loaded_at) from marts.fct_interactions")
    if upgrade:
        with duckdb.connect(str(core.warehouse)) as con:
            for table in MARKED:
                con.execute(f"alter table {table} drop column {MARK}")

    for original, moved in moves:
        shutil.move(moved, original)
    ingest_all(landing_dir=landing, warehouse_path=core.warehouse)
    core.run("build", *NO_TESTS, *SELECTION)
    incremental = _rows(core)

    # the day brought new interactions, AND rows of records loaded before it changed: page views
    # stitched to a lead (or to another one), sessions renumbered by late events
    after = set(core.query(QUESTION))
    assert any(r[3] > first_load for r in after)
    old_records_changed = {r for r in after - before if r[3] <= first_load}
    assert len(old_records_changed) > 0

    core.run("build", "--full-refresh", *NO_TESTS, *SELECTION)
    full = _rows(core)
    for table in INCREMENTAL:
        assert len(incremental[table]) == len(full[table]), table
        assert incremental[table] == full[table], table

    if upgrade:
        return
    # test scope: a duplicate key among OLD rows fails the whole-table test (the full build), not
    # the hourly one (newest load only); a duplicate in the newest load fails both
    newest = core.scalar("select max(loaded_at) from intermediate.int_sessions__page_views")
    unique_test = ("test", "--select", "int_sessions__page_views,test_name:unique")
    with duckdb.connect(str(core.warehouse)) as con:
        con.execute(
            "insert into intermediate.int_sessions__page_views select * from "
            "intermediate.int_sessions__page_views where loaded_at < ? limit 1",
            [newest],
        )
    assert _unique_status(core, unique_test, "full") == "fail"
    assert _unique_status(core, unique_test, HOURLY_TEST_SCOPE) == "pass"
    with duckdb.connect(str(core.warehouse)) as con:
        con.execute(
            "insert into intermediate.int_sessions__page_views select * from "
            "intermediate.int_sessions__page_views where loaded_at = ? limit 1",
            [newest],
        )
    assert _unique_status(core, unique_test, HOURLY_TEST_SCOPE) == "fail"


def _unique_status(core: DbtCore, args: tuple[str, ...], scope: str) -> str:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(TEST_SCOPE_ENV, scope)
        result = core.run(*args, check=False)
    statuses = {u: s for u, s in result.statuses().items() if ".unique_int_sessions" in u}
    assert len(statuses) == 1, statuses
    return next(iter(statuses.values()))


#: the scoring tables the hourly run rebuilds from fct_interactions and the rules: after a new
#: day AND a change of the engagement rules, the same rows as a full refresh at the same as_of
SCORING = (
    "intermediate.int_scoring_engagement__events",
    "intermediate.int_scoring_engagement__rule_points",
    "intermediate.int_scoring_fit__rule_hits",
    "intermediate.int_scoring_fit__scores",
    "marts.mart_lead_scores",
    "marts.mart_lead_score_explanations",
)
SCORING_SELECTION = ("--select", "+mart_lead_scores", "+mart_lead_score_explanations")
#: one instant for every build (scores decay with as_of), scored in place (not a replay schema)
AS_OF_VARS = ("--vars", "{as_of: '2026-12-31 00:00:00', replay_in_place: true}")
#: the rules change between the runs: a URL rule (a regex; its rule_id sorts first, so it beats
#: the content-category rules of the same page views) and new points for an existing rule
URL_RULE = (
    "insert into seeds.scoring_engagement_rules (model_id, rule_id, interaction_type, "
    "detail_match, category, points, half_life_days, window_days, cap_per_day, buying_stage) "
    "values ('default', 'a_url_rule', 'page_view', 'url:/(pricing|demo)', 'high_intent', '33', "
    "'10', '', '', 'decision')"
)
NEW_POINTS = "update seeds.scoring_engagement_rules set points = '7' where rule_id = 'cta_click'"


def _all_rows(core: DbtCore, tables: tuple[str, ...]) -> dict[str, list[tuple]]:
    with duckdb.connect(str(core.warehouse), read_only=True) as con:
        return {t: con.execute(f"select * from {t} order by all").fetchall() for t in tables}


def test_hourly_scoring_after_a_rules_change_equals_full_refresh(tmp_path, monkeypatch):
    """The scoring models keep nothing between runs: a new day and a changed rules seed give,
    at the same as_of, the rows a full refresh gives (docs/warehouse.md, "Incremental models")."""
    landing, core, moves = tiny_without_its_newest_day(tmp_path, monkeypatch)
    ingest_all(landing_dir=landing, warehouse_path=core.warehouse)
    core.run("build", *NO_TESTS, *SCORING_SELECTION, *AS_OF_VARS)
    before = _all_rows(core, SCORING)
    url_matches = (
        "select count(*) from intermediate.int_scoring_engagement__events "
        "where model_id = 'default' and rule_id = "
    )

    for original, moved in moves:
        shutil.move(moved, original)
    ingest_all(landing_dir=landing, warehouse_path=core.warehouse)
    with duckdb.connect(str(core.warehouse)) as con:
        con.execute(URL_RULE)
        con.execute(NEW_POINTS)
    keep_seeds = ("--exclude", "resource_type:seed")
    core.run("build", *NO_TESTS, *SCORING_SELECTION, *keep_seeds, *AS_OF_VARS)
    hourly = _all_rows(core, SCORING)

    # in the default model, the new rule took the pricing and demo page views from their
    # content-category rules (and only those), the CTA click earns its new points
    assert core.scalar(url_matches + "'a_url_rule'") > 0
    assert core.scalar(url_matches + "'pv_pricing'") == 0
    assert core.scalar(url_matches + "'pv_demo'") == 0
    assert (
        core.scalar(
            "select count(*) from intermediate.int_scoring_engagement__events as e "
            "join marts.fct_interactions as i using (interaction_id) where e.rule_id = 'a_url_rule' "
            "and not regexp_matches(i.url, '/(pricing|demo)', 'i')"
        )
        == 0
    )
    assert core.scalar(url_matches + "'cta_click' and points <> 7") == 0
    assert core.scalar(url_matches + "'cta_click'") > 0
    for table in SCORING:
        assert hourly[table] != before[table], table

    core.run("build", "--full-refresh", *NO_TESTS, *SCORING_SELECTION, *keep_seeds, *AS_OF_VARS)
    full = _all_rows(core, SCORING)
    for table in SCORING:
        assert len(hourly[table]) == len(full[table]), table
        assert hourly[table] == full[table], table

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
    landing, core = tmp_path / "landing", DbtCore(tmp_path / "wh.duckdb", tmp_path)
    monkeypatch.setenv("LEADHOUSE_LANDING", str(landing))
    monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(core.warehouse))
    monkeypatch.setenv("LEADHOUSE_OUTPUT", str(tmp_path / "output"))
    generate("tiny", 42, landing)
    moves = hold_back_newest_day(landing, tmp_path / "aside")
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

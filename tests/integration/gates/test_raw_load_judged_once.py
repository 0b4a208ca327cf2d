"""Issue 11 item 2: ``raw_load_health`` judges each load once, in the run that loads it; a
small new day never blocks; a failed load is history (in the check's history), not a block.

Real ingestion assets and real quality checks in Dagster (``ingest_job``) on the generator's
``tiny`` sample; one Dagster instance holds the history of the runs.
"""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest
from conftest import land_new_web_day, web_days

pytestmark = pytest.mark.slow

WEB = dg.AssetKey(["raw", "web_events"])


def _ingest(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import defs

    return defs.resolve_job_def("ingest_job").execute_in_process(
        instance=instance, raise_on_error=False
    )


def _web(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {ev.check_name: ev for ev in result.get_asset_check_evaluations() if ev.asset_key == WEB}


def _median_day(warehouse) -> float:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select median(n) from (select sum(rows_in) as n from raw.load_manifest "
            "where source = 'web_events' group by regexp_extract(path, 'dt=([0-9-]+)', 1))"
        ).fetchone()[0]


@pytest.fixture
def first_load(gate_env):
    instance = dg.DagsterInstance.ephemeral()
    first = _ingest(instance)
    assert first.success
    assert _web(first)["raw_load_health"].passed
    return instance


def test_a_small_new_day_does_not_block_now_or_later(gate_env, first_load):
    """20 web events on a new day against a median of ~1,100 a day: judged on its shares
    (nothing to say at 20 rows) and not on its volume (too small for a ratio); the run
    succeeds, and so does every later run."""
    instance = first_load
    assert _median_day(gate_env["LEADHOUSE_WAREHOUSE"]) > 250
    land_new_web_day(gate_env["LEADHOUSE_LANDING"], "2026-11-01", 20)

    small = _ingest(instance)
    assert small.success
    checks = _web(small)
    assert checks["raw_load_health"].passed
    assert checks["raw_load_volume"].passed
    # the small day was the one judged: 20 rows in, no ratio computed for it
    judged = checks["raw_load_health"].metadata["observed_values"].value
    assert judged["loads.duplicate_share"]["element_count"] == 1

    later = _ingest(instance)
    assert later.success
    assert _web(later)["raw_load_health"].passed
    assert "no new load in this run" in _web(later)["raw_load_health"].description


def test_a_failed_load_is_history_not_a_permanent_block(gate_env, first_load):
    """A day landed twice (every row a duplicate) fails the blocking check in the run that
    loads it; the next run judges nothing old and passes; the failure stays in the history."""
    instance = first_load
    landing = gate_env["LEADHOUSE_LANDING"]
    shutil.copytree(web_days(landing)[-1], landing / "web_events" / "dt=2026-11-02")

    resent = _ingest(instance)
    assert not resent.success
    failed = _web(resent)["raw_load_health"]
    assert not failed.passed
    assert "duplicate share of a load <= 10.0%: 1 of 1 rows fail" in failed.description

    after = _ingest(instance)
    assert after.success
    assert _web(after)["raw_load_health"].passed

    key = dg.AssetCheckKey(WEB, "raw_load_health")
    history = instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
    by_run = {r.run_id: r.status.value for r in history}
    assert by_run[resent.run_id] == "FAILED"
    assert by_run[after.run_id] == "SUCCEEDED"

"""SIGKILL of ``leadhouse run`` while dbt is building the marts, then a re-run: the warehouse
ends as one uninterrupted run leaves it (raw rows and manifest identical; the same leads,
stages, fit scores, interactions and sessions; one snapshot version per lead; the same sync
state)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.faults.conftest import clean_and_killed, data_env, kill_when, leadhouse, raw_state

pytestmark = [pytest.mark.faults, pytest.mark.slow]

MARTS_STARTED = re.compile(r"START sql (table|incremental) model marts\.")


def marts_state(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            "leads": con.execute("select lead_id from marts.dim_leads order by 1").fetchall(),
            "activation": con.execute(
                "select lead_id, lifecycle_stage, fit_score, is_suppressed "
                "from marts.mart_lead_activation order by 1"
            ).fetchall(),
            "interactions": con.execute(
                "select count(*), count(distinct interaction_id) from marts.fct_interactions"
            ).fetchall(),
            "sessions": con.execute("select count(*) from marts.fct_web_sessions").fetchall(),
            "snapshot": con.execute(
                "select count(*), count(distinct lead_id), count(*) filter (dbt_valid_to is null) "
                "from snapshots.snap_lead_state"
            ).fetchall(),
            "sync_state": con.execute(
                "select sync_id, count(*), count(*) filter (last_status = 'success') "
                "from retl.sync_state group by 1 order by 1"
            ).fetchall(),
        }


def test_sigkill_during_dbt_build_then_rerun_equals_uninterrupted(tmp_path, sample):
    clean, killed = clean_and_killed(sample, tmp_path, ["run"])
    clean_wh = clean / "wh" / "leadhouse.duckdb"

    env = data_env(killed)
    # -v: dbt's own log lines on stdout, where the kill waits for the first marts model
    out = kill_when(["run", "-v"], env, lambda text, _pid: bool(MARTS_STARTED.search(text)))
    assert "Running dbt command" in out
    again = leadhouse(["run"], env)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    wh = killed / "wh" / "leadhouse.duckdb"
    assert raw_state(wh) == raw_state(clean_wh)
    got, expected = marts_state(wh), marts_state(clean_wh)
    assert got == expected
    scored = len(expected["activation"])
    assert scored > 300 and expected["snapshot"] == [(scored, scored, scored)]

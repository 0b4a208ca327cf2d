"""SIGKILL in the middle of ``leadhouse ingest``, then a re-run: the warehouse is exactly what
one uninterrupted ingestion makes (same rows, same quarantine, same manifest), and every
file's accounting holds."""

from __future__ import annotations

import duckdb
import pytest

from orchestration.ingestion.reconcile import reconcile
from tests.faults.conftest import (
    SOURCES,
    clean_and_killed,
    data_env,
    kill_when,
    leadhouse,
    raw_state,
)

pytestmark = pytest.mark.faults


def test_sigkill_during_ingestion_then_rerun_equals_uninterrupted(tmp_path, sample):
    clean, killed = clean_and_killed(sample, tmp_path, ["ingest"])
    expected = raw_state(clean / "wh" / "leadhouse.duckdb")

    env = data_env(killed)
    wh = killed / "wh" / "leadhouse.duckdb"
    wal = wh.with_name(wh.name + ".wal")
    seen = {"wal": False}

    def loading(_out: str, _pid: int) -> bool:
        # each source is one connection: web_events writes its WAL, commits, and on close the
        # WAL is checkpointed away; the next sources follow. WAL seen, then gone = the first
        # source is in and the others are still to come.
        if wal.exists():
            seen["wal"] = True
            return False
        return seen["wal"]

    kill_when(["ingest"], env, loading)
    with duckdb.connect(str(wh)) as con:  # the killed run left a partial, consistent load
        partial = con.execute("select count(*) from raw.load_manifest").fetchone()[0]
        for source in SOURCES:
            if con.execute(
                "select count(*) from information_schema.tables where table_schema = 'raw' "
                "and table_name = ?",
                [source],
            ).fetchone()[0]:
                assert reconcile(con, source).passed
    assert 0 < partial < len(expected["manifest"])

    again = leadhouse(["ingest"], env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reconciliation: ok" in again.stdout
    assert raw_state(wh) == expected
    total_rows = sum(m[4] for m in expected["manifest"])
    accounted = sum(m[5] + m[6] + m[7] for m in expected["manifest"])
    assert total_rows == accounted > 30_000

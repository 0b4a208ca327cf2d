"""Two runs at once, and a full disk: each ends in the state of one uninterrupted ingestion
(same rows, same quarantine, same manifest; every file's accounting holds).

- Two ``leadhouse run --job ingest_job`` started together on one warehouse: the second waits for
  the first (it says for whom), then finds every file loaded and loads nothing twice.
- The warehouse on a 3 MB tmpfs: ``leadhouse ingest`` stops with the original error ("No space
  left on device") shown once; the disk grows and a re-run completes the load. Where a tmpfs
  cannot be mounted, the warehouse is put on a read-only path instead, and only the error
  (shown once) is checked.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.reconcile import reconcile
from tests.faults.conftest import SOURCES, data_env, leadhouse, raw_state

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    from orchestration.sample_data.engine import generate

    landing = tmp_path_factory.mktemp("sample") / "landing"
    generate("tiny", 6, landing)
    return landing


@pytest.fixture(scope="module")
def expected(sample, tmp_path_factory) -> dict:
    """The raw state after one uninterrupted ``leadhouse ingest`` of the sample."""
    clean = tmp_path_factory.mktemp("clean")
    shutil.copytree(sample, clean / "landing")
    ok = leadhouse(["ingest"], data_env(clean))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    return raw_state(clean / "wh" / "leadhouse.duckdb")


def accounted(db: Path, expected: dict) -> None:
    assert raw_state(db) == expected
    with duckdb.connect(str(db), read_only=True) as con:
        for source in SOURCES:
            rec = reconcile(con, source)
            assert rec.passed, rec.problems
    rows_in = sum(m[4] for m in expected["manifest"])
    assert rows_in == sum(m[5] + m[6] + m[7] for m in expected["manifest"]) > 30_000


def test_two_runs_at_once_wait_for_each_other_and_load_once(tmp_path, sample, expected):
    shutil.copytree(sample, tmp_path / "landing")
    env = {**data_env(tmp_path), "LEADHOUSE_RUN_WAIT_SECONDS": "600"}
    Path(env["DAGSTER_HOME"]).mkdir(parents=True)
    cmd = [sys.executable, "-m", "orchestration.cli", "run", "--job", "ingest_job"]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=1200)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    waited = [o for o in outputs if "waiting up to 600 s for the warehouse" in o]
    assert len(waited) == 1, outputs  # exactly one of them found the other holding it
    holder = procs[1 - outputs.index(waited[0])].pid
    # named by the run lock ("leadhouse run, pid N") or, when the first run has released it but
    # its process still closes the DuckDB file, by DuckDB's lock ("pid N (python ...)")
    assert f"pid {holder}" in waited[0].split("in use by", 1)[1], waited[0]
    accounted(tmp_path / "wh" / "leadhouse.duckdb", expected)


def test_full_disk_shows_the_error_once_and_a_rerun_completes(
    tmp_path, sample, expected, small_disk
):
    shutil.copytree(sample, tmp_path / "landing")
    env = data_env(tmp_path)
    if small_disk is None:  # no tmpfs here: a path that cannot be written, even by root
        env["LEADHOUSE_WAREHOUSE"] = "/proc/leadhouse-fault/leadhouse.duckdb"
    else:
        env["LEADHOUSE_WAREHOUSE"] = str(small_disk / "leadhouse.duckdb")
    failed = leadhouse(["ingest"], env)
    said = failed.stdout + failed.stderr
    assert failed.returncode != 0
    error = "No space left on device" if small_disk else "/proc/leadhouse-fault"
    assert sum(error in line for line in said.splitlines()) == 1, said[-4000:]
    assert "Traceback" not in said and "cannot rollback" not in said
    if small_disk is None:
        pytest.skip("no tmpfs could be mounted: the re-run after a full disk is not exercised")
    subprocess.run(
        ["mount", "-o", "remount,size=512m", str(small_disk)], check=True, capture_output=True
    )
    again = leadhouse(["ingest"], env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reconciliation: ok" in again.stdout
    accounted(small_disk / "leadhouse.duckdb", expected)

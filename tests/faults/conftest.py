"""Shared pieces of the fault suite: a scratch data folder, the ``leadhouse`` command as a
real subprocess (so SIGKILL kills a real process), and a comparable picture of the state."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from tests.integration.activation.conftest import (  # noqa: F401 (fixtures)
    FakeHubSpot,
    hubspot,
    warehouse,
)
from tests.leadhouse_cli import leadhouse, leadhouse_env

__all__ = ["leadhouse"]  # the fault tests import it from here with the other pieces

SOURCES = ("web_events", "email_events", "form_submissions", "lead_lists", "crm_deals")
KEY_COLUMNS = {
    "web_events": "message_id",
    "email_events": "provider, provider_event_id",
    "form_submissions": "submission_id",
    "lead_lists": "_file, _line",
    "crm_deals": "provider, deal_id, _row_hash",
}


def data_env(base: Path) -> dict[str, str]:
    """Environment of a leadhouse process working in ``base`` (output unbuffered: kill_when
    reads it as it comes)."""
    return leadhouse_env(base, PYTHONUNBUFFERED="1")


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generator's ``tiny`` sample (seed 5), once per session: copied before every use."""
    from orchestration.sample_data.engine import generate

    landing = tmp_path_factory.mktemp("sample") / "landing"
    generate("tiny", 5, landing)
    return landing


def clean_and_killed(sample: Path, base: Path, args: list[str]) -> tuple[Path, Path]:
    """Two copies of ``sample`` under ``base``, ``clean`` and ``killed``; ``leadhouse ARGS``
    already run to completion on ``clean``, the uninterrupted run a killed one is compared with."""
    clean, killed = base / "clean", base / "killed"
    for copy in (clean, killed):
        shutil.copytree(sample, copy / "landing")
    ok = leadhouse(args, data_env(clean))
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr[-3000:]
    return clean, killed


def kill_when(
    args: list[str], env: dict[str, str], ready: Callable[[str, int], bool], timeout: float = 900
) -> str:
    """Start ``leadhouse ARGS``; SIGKILL its whole process group as soon as ``ready(output so
    far, pid)`` is true. Returns the output; fails if the process ended on its own first."""
    Path(env["DAGSTER_HOME"]).mkdir(parents=True, exist_ok=True)
    log = Path(env["LEADHOUSE_OUTPUT"]).parent / f"killed-{time.monotonic_ns()}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-m", "orchestration.cli", *args],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"leadhouse {args} ended (rc {proc.returncode}) before the kill")
            if ready(log.read_text(errors="replace"), proc.pid):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)
                assert proc.returncode == -signal.SIGKILL
                return log.read_text(errors="replace")
            time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail("the kill point never came")


def raw_state(db: Path) -> dict:
    """Rows of every raw table (by key, without load times/batches) and the manifest."""
    with duckdb.connect(str(db), read_only=True) as con:
        state = {
            source: con.execute(
                f"select {KEY_COLUMNS[source]}, _file, _line, _row_hash from raw.{source} "
                "order by all"
            ).fetchall()
            for source in SOURCES
        }
        state["quarantine"] = con.execute(
            "select source, _file, _line, reason from raw.quarantine order by all"
        ).fetchall()
        state["manifest"] = con.execute(
            "select path, source, size_bytes, checksum, rows_in, rows_loaded, rows_duplicate, "
            "rows_quarantined, status from raw.load_manifest order by path"
        ).fetchall()
    return state


def pytest_collection_modifyitems(config, items):
    """The fault suite takes minutes: it runs under ``make test-faults`` (LEADHOUSE_FAULTS=1,
    CI runs it after ``make test``), and is skipped by a plain ``make test``."""
    if os.environ.get("LEADHOUSE_FAULTS") == "1":
        return
    skip = pytest.mark.skip(reason="fault suite: run `make test-faults`")
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)

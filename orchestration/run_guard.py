"""What ``leadhouse run`` makes sure of before and around a run.

- the dbt manifest exists (a fresh clone after ``make setup`` has none): it is prepared;
- one run at a time per warehouse: a second run waits for the first (bounded,
  ``LEADHOUSE_RUN_WAIT_SECONDS``, default 300, saying so once) and then stops with one line
  naming the holder — never a DuckDB lock traceback. The holder is another ``leadhouse run``
  (a lock file beside the warehouse) or any process holding DuckDB's writer lock;
- a run left STARTED by a killed ``leadhouse run`` is marked failed;
- an ``OSError`` of the warehouse file (a full disk) is told once, with its path.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.config import settings
from orchestration.resources import warehouse as warehouse_resource

WAIT_ENV = "LEADHOUSE_RUN_WAIT_SECONDS"
#: tag of the Dagster runs that ``leadhouse run`` executes: the pid of its process
PID_TAG = "leadhouse/pid"


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse and did not let go in time."""


def ensure_manifest(say: Callable[[str], None]) -> None:
    """Prepare the dbt manifest when it is missing (before the Definitions are imported)."""
    from orchestration.project import leadhouse_project
    from orchestration.transform.prepare import prepare_manifest

    manifest = leadhouse_project().manifest_path
    if manifest.exists():
        return
    say(f"preparing the dbt manifest (none at {manifest}) ...")
    prepare_manifest()


def wait_seconds() -> float:
    from orchestration.config import settings

    return settings().run_wait_seconds


def _process(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"pid {pid}"
    words = [w for w in raw.decode(errors="replace").split("\0") if w][:4]
    if words:
        words[0] = Path(words[0]).name
    command = " ".join(" ".join(words).split())  # one line, whatever the arguments hold
    return f"pid {pid} ({command[:80]}{'...' if len(command) > 80 else ''})"


def duckdb_holder(warehouse: Path) -> str | None:
    """Who holds DuckDB's writer lock on ``warehouse`` (None: nobody, the file is free)."""
    if settings().target != "duckdb" or not warehouse.exists():
        return None  # a server engine has no file lock: its sessions do not exclude each other
    try:
        warehouse_resource("duckdb", path=warehouse).open().close()
    except duckdb.IOException as exc:
        found = re.search(r"\(PID (\d+)\)", str(exc))
        if found:
            return _process(int(found.group(1)))
        if "lock" in str(exc).lower():
            return "another process"
        raise
    return None


_UNNAMED = "another leadhouse run"


def _lock_holder(lock_file: Path) -> str:
    text = (
        lock_file.read_text(encoding="utf-8", errors="replace").strip()
        if lock_file.exists()
        else ""
    )
    return text or _UNNAMED


@contextlib.contextmanager
def warehouse_guard(
    warehouse: Path, wait: float | None = None, say: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the warehouse for one run; wait up to ``wait`` s for another holder to finish."""
    say = say or (lambda line: print(line, file=sys.stderr, flush=True))
    wait = wait_seconds() if wait is None else wait
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_file = warehouse.with_name(warehouse.name + ".run.lock")
    deadline = time.monotonic() + wait
    named_by = time.monotonic() + 2.0
    told = False

    def wait_for(holder: str) -> None:
        nonlocal told
        if time.monotonic() >= deadline:
            raise WarehouseBusy(
                f"the warehouse {warehouse} is in use by {holder}; not started "
                f"(waited {wait:g} s, {WAIT_ENV} sets how long)"
            )
        if not told:
            say(f"waiting up to {wait:g} s for the warehouse {warehouse}: in use by {holder}")
            told = True
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))

    with open(lock_file, "a+", encoding="utf-8") as fh:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _lock_holder(lock_file)
                if holder == _UNNAMED and not told and time.monotonic() < named_by:
                    # the holder has just taken the lock and not yet written its name
                    time.sleep(0.05)
                    continue
                wait_for(holder)
        try:
            fh.seek(0)
            fh.truncate()
            started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            fh.write(f"leadhouse run, pid {os.getpid()}, started {started}")
            fh.flush()
            while (holder := duckdb_holder(warehouse)) is not None:
                wait_for(holder)
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_orphaned_runs(instance: object, say: Callable[[str], None]) -> list[str]:
    """Mark failed the runs of ``leadhouse run`` still STARTED whose process is gone (killed);
    returns their run ids."""
    import dagster as dg

    runs = instance.get_runs(  # type: ignore[attr-defined]
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
    )
    failed = []
    for run in runs:
        pid = run.tags.get(PID_TAG)
        if not pid or not pid.isdigit() or int(pid) == os.getpid() or _alive(int(pid)):
            continue
        message = f"the process of this run (pid {pid}) ended without finishing it (killed?)"
        instance.report_run_failed(run, message)  # type: ignore[attr-defined]
        say(f"run {run.run_id}: marked failed: {message}")
        failed.append(run.run_id)
    return failed

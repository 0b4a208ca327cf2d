"""Issue 11 item 8: ``leadhouse run`` as an operator meets it — a fresh clone, two runs at
once, a ``kill -9`` during dbt, a full disk. Every test runs the real command in a
subprocess (or the real ingestion) against files in a tmp folder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.leadhouse_cli import leadhouse, leadhouse_env

REPO = Path(__file__).resolve().parents[3]
BUSY = 75  # EX_TEMPFAIL


def _env(base: Path, **extra: str) -> dict[str, str]:
    return leadhouse_env(base, dagster_home=False, **extra)


def _leadhouse(*args: str, env: dict, cwd: Path = REPO, timeout: int = 600):
    return leadhouse(list(args), env, cwd=cwd, timeout=timeout)


@pytest.mark.slow
def test_fresh_clone_prepares_the_dbt_manifest(tmp_path):
    """The tracked files only (no target/, as after `git clone` + `make setup`): `leadhouse
    run` prepares the manifest itself instead of failing on `manifest.json does not exist`."""
    clone = tmp_path / "clone"
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
    ).stdout.split(b"\0")
    for name in (f.decode() for f in files if f):
        if (REPO / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, clone / name)
    assert not (clone / "target").exists()
    (tmp_path / "landing").mkdir()
    env = _env(tmp_path, PYTHONPATH=str(clone))
    done = _leadhouse("run", "--job", "ingest_job", env=env, cwd=clone)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "preparing the dbt manifest" in done.stderr
    assert (clone / "target" / "manifest.json").exists()


@pytest.fixture
def duckdb_holder(tmp_path):
    """Another process holding DuckDB's writer lock on the warehouse (a dbt shell, an
    orphan, the UI); ``release_after`` seconds later it lets go (None: when the test ends)."""
    procs = []

    def hold(release_after: float | None = None) -> subprocess.Popen:
        warehouse = tmp_path / "wh" / "leadhouse.duckdb"
        warehouse.parent.mkdir(parents=True, exist_ok=True)
        code = (
            "import duckdb, sys, time\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "print('ready', flush=True)\n"
            "time.sleep(float(sys.argv[2]))\n"
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", code, str(warehouse), str(release_after or 600)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout.readline().strip() == "ready"
        procs.append(proc)
        return proc

    yield hold
    for proc in procs:
        proc.kill()
        proc.wait()


def test_a_second_run_stops_with_one_line_naming_the_holder(tmp_path, duckdb_holder):
    (tmp_path / "landing").mkdir()
    holder = duckdb_holder()
    done = _leadhouse(
        "run", "--job", "ingest_job", env=_env(tmp_path, LEADHOUSE_RUN_WAIT_SECONDS="1")
    )
    assert done.returncode == BUSY
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.startswith("leadhouse run:")]
    assert lines[0].startswith("leadhouse run: waiting up to 1 s for the warehouse")
    assert f"in use by pid {holder.pid} (" in lines[-1]
    assert lines[-1].endswith("not started (waited 1 s, LEADHOUSE_RUN_WAIT_SECONDS sets how long)")
    assert done.stdout == ""


def test_a_second_run_waits_for_the_warehouse(tmp_path, duckdb_holder):
    """The holder lets go once the second run said it waits: the second run then runs."""
    (tmp_path / "landing").mkdir()
    holder = duckdb_holder()
    second = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "run", "--job", "ingest_job"],
        cwd=REPO,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    said = []
    for line in second.stderr:
        said.append(line)
        if line.startswith("leadhouse run: waiting up to"):
            break
    holder.kill()
    holder.wait()
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err[-3000:]
    warehouse = tmp_path / "wh" / "leadhouse.duckdb"
    assert said[-1].startswith(
        f"leadhouse run: waiting up to 300 s for the warehouse {warehouse}: "
        f"in use by pid {holder.pid} (python -c import duckdb"
    )
    assert "SUCCESS" in out


def test_two_leadhouse_runs_never_share_the_warehouse(tmp_path):
    from orchestration.run_guard import WarehouseBusy, warehouse_guard

    warehouse = tmp_path / "wh" / "leadhouse.duckdb"
    code = (
        "import sys, time\nfrom pathlib import Path\n"
        "from orchestration.run_guard import warehouse_guard\n"
        "with warehouse_guard(Path(sys.argv[1]), wait=0):\n"
        "    print('ready', flush=True)\n    time.sleep(600)\n"
    )
    first = subprocess.Popen(
        [sys.executable, "-c", code, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert first.stdout.readline().strip() == "ready"
        said = []
        with (
            pytest.raises(WarehouseBusy, match=rf"in use by leadhouse run, pid {first.pid}, "),
            warehouse_guard(warehouse, wait=0.5, say=said.append),
        ):
            pass
        assert said == [
            f"waiting up to 0.5 s for the warehouse {warehouse}: in use by leadhouse run, "
            f"pid {first.pid}, started " + said[0].split(", started ")[1]
        ]
    finally:
        first.kill()
        first.wait()
    with warehouse_guard(warehouse, wait=5, say=said.append):  # released by the kill
        pass


def _children(pid: int) -> list[tuple[int, str]]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append((int(stat.parent.name), cmdline))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_kill_9_during_dbt_kills_dbt_and_fails_the_run(tmp_path, tiny_landing):
    """`kill -9` of `leadhouse run` while dbt builds: dbt dies with it (the warehouse is free
    at once) and the next `leadhouse run` marks the killed run failed."""
    shutil.copytree(tiny_landing, tmp_path / "landing")
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = _env(tmp_path, DAGSTER_HOME=str(home))
    log = (tmp_path / "run.log").open("w")
    run = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "run"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 600
    dbt = []
    while not dbt and time.monotonic() < deadline and run.poll() is None:
        dbt = [pid for pid, cmd in _children(run.pid) if "dbt" in cmd and " build " in cmd]
        time.sleep(0.2)
    assert dbt, (tmp_path / "run.log").read_text()[-3000:]
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    for _ in range(300):  # the kernel delivers the parent-death signal at once
        if not _running(dbt[0]):
            break
        time.sleep(0.1)
    assert not _running(dbt[0]), "dbt outlived its parent"
    duckdb.connect(str(tmp_path / "wh" / "leadhouse.duckdb")).close()  # no lock left

    instance = dg.DagsterInstance.from_config(str(home))
    killed = instance.get_runs()[0]
    assert killed.status == dg.DagsterRunStatus.STARTED
    (tmp_path / "landing").rename(tmp_path / "landing-full")
    (tmp_path / "landing").mkdir()
    again = _leadhouse("run", "--job", "ingest_job", env=env)
    assert f"run {killed.run_id}: marked failed" in again.stderr, again.stderr[-3000:]
    assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE


def test_a_full_disk_is_told_once_with_its_path(tmp_path, tiny_landing, small_disk, caplog):
    if small_disk is None:
        pytest.skip("cannot mount a small tmpfs here (root only)")
    from orchestration.ingestion.ingest import WarehouseWriteError, ingest_source

    warehouse = small_disk / "leadhouse.duckdb"
    with pytest.raises(WarehouseWriteError) as raised:
        ingest_source("web_events", landing_dir=tiny_landing, warehouse_path=warehouse)
    message = str(raised.value)
    assert message.startswith(f"cannot write the warehouse {warehouse}: ")
    assert "No space left on device" in message
    assert "cannot rollback" not in message
    assert "cannot rollback" not in caplog.text
    assert caplog.text.count("No space left on device") <= 1

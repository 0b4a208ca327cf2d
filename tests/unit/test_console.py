"""The terminal view: step lines from a real Dagster run, progress bars, the quiet log file,
one-line errors and every command's help."""

from __future__ import annotations

import io
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
import pytest

from orchestration import progress
from orchestration.cli import COMMANDS, build_parser
from orchestration.console import (
    LeadhouseError,
    StepPrinter,
    explain,
    make_console,
    progress_bars,
    run_friendly,
)

REPO = Path(__file__).resolve().parents[2]


def _console() -> tuple:
    buffer = io.StringIO()
    return make_console(buffer, is_tty=False), buffer


def test_step_lines_from_a_real_run():
    @dg.asset
    def loaded() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"rows_loaded": 1234})

    @dg.asset_check(asset=loaded)
    def never_empty() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=False, description="empty")

    defs = dg.Definitions(
        assets=[loaded], asset_checks=[never_empty], jobs=[dg.define_asset_job("j")]
    )
    job = defs.resolve_job_def("j")
    console, buffer = _console()
    instance = dg.DagsterInstance.ephemeral()
    run_id = str(uuid.uuid4())
    printer = StepPrinter(console, {"loaded_never_empty"}, labels={"loaded": "ingestion"})
    instance.add_event_listener(run_id, printer)
    job.execute_in_process(instance=instance, run_id=run_id, raise_on_error=False)
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "▶ loaded  (ingestion)"
    assert lines[1].startswith("✓ loaded  1 asset  1,234 rows  ")
    # the check runs in its own step: one line when it ends, the failure named
    assert lines[2].startswith("✗ loaded_never_empty  ")
    assert lines[2].endswith("checks 0 passed, 1 failed")
    assert lines[3] == "    failed: never_empty [ERROR]"
    assert len(lines) == 4


def test_progress_bar_shows_rows_and_rate():
    console, buffer = _console()
    with progress_bars(console), progress.task("ingest web_events", total=300, unit="bytes") as b:
        b.advance(100, rows=1_000)
        b.advance(200, rows=2_500)
    out = buffer.getvalue()
    assert "ingest web_events" in out
    assert "100%" in out and "3,500 rows" in out and "rows/s" in out


def test_no_bar_without_a_reporter_or_a_description():
    with progress.task("anything", total=10) as bar:
        bar.advance(10, rows=5)  # silent no-op
    console, buffer = _console()
    with progress_bars(console), progress.task(None, total=0) as bar:
        bar.advance(0)
    assert buffer.getvalue() == ""


def test_quiet_output_sends_subprocess_output_to_the_log(tmp_path):
    log = tmp_path / "run.log"
    script = f"""
import subprocess, sys
from pathlib import Path
from orchestration.console import quiet_output
with quiet_output(Path({str(log)!r})) as console:
    console.print("step line")
    print("python noise")
    subprocess.run(["echo", "subprocess noise"], check=True)
    print("stderr noise", file=sys.stderr)
print("after")
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["step line", "after"]
    assert result.stderr == ""
    text = log.read_text()
    assert "python noise" in text and "subprocess noise" in text and "stderr noise" in text
    assert "step line" not in text


def test_expected_failures_are_one_line(capsys):
    class Args:
        verbose = False

    def locked(_args: object) -> int:
        raise OSError('IO Error: Could not set lock on file "wh.duckdb": Conflicting lock')

    assert run_friendly(locked, Args()) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "warehouse is in use by another process" in err and "close `make ui`" in err

    def mine(_args: object) -> int:
        raise LeadhouseError("no warehouse at /x.duckdb", "run `make run`")

    assert run_friendly(mine, Args()) == 2
    assert capsys.readouterr().err == "leadhouse: no warehouse at /x.duckdb — run `make run`\n"


def test_bugs_keep_their_traceback():
    assert explain(ZeroDivisionError("division by zero")) is None

    class Args:
        verbose = False

    with pytest.raises(ZeroDivisionError):
        run_friendly(lambda _a: 1 / 0, Args())


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_help_has_a_paragraph_and_an_example(command):
    parser = build_parser(only=command)
    sub = parser._subparsers._group_actions[0].choices[command]  # noqa: SLF001
    text = sub.format_help()
    assert sub.description and len(sub.description) > 80
    assert "example: leadhouse " in text


def test_top_level_help_says_where_to_start():
    text = build_parser().format_help()
    assert "where to start:" in text and "make run" in text


def test_a_failed_step_says_why_in_one_line():
    @dg.asset
    def locked() -> None:
        raise OSError('IO Error: Could not set lock on file "wh.duckdb": Conflicting lock is held')

    defs = dg.Definitions(assets=[locked], jobs=[dg.define_asset_job("j")])
    console, buffer = _console()
    instance = dg.DagsterInstance.ephemeral()
    run_id = str(uuid.uuid4())
    instance.add_event_listener(run_id, StepPrinter(console))
    defs.resolve_job_def("j").execute_in_process(
        instance=instance, run_id=run_id, raise_on_error=False
    )
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "▶ locked"
    assert lines[1].startswith("✗ locked  ") and lines[1].endswith("FAILED")
    assert lines[2] == (
        '    error: OSError: IO Error: Could not set lock on file "wh.duckdb": Conflicting lock '
        "is held — close `make ui`, `dagster dev`, notebooks or BI clients on the file, then retry"
    )
    assert len(lines) == 3

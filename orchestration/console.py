"""What a person sees in the terminal: a quiet run, progress bars, one line per step, and one
line (not a traceback) for an expected failure.

- :func:`quiet_output` sends everything written to file descriptors 1 and 2 (Dagster's event
  log, dbt's output, warnings, subprocesses) to a log file and hands back a console on the real
  terminal; ``verbose=True`` leaves the firehose on the terminal.
- :class:`RichReporter` draws :mod:`orchestration.progress` bars (rows/s, ETA) with ``rich``.
- :class:`StepPrinter` listens to a Dagster run's events and prints a line when a step starts
  and when it ends: step, assets, rows, seconds, checks passed/failed.
- :func:`explain` turns an expected failure into "what failed — what to do".
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from orchestration import progress


class LeadhouseError(Exception):
    """An expected failure: ``str(exc)`` says what failed, ``hint`` what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def log_path(output_dir: Path, command: str) -> Path:
    """``<output>/logs/<command>-<UTC timestamp>.log``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(output_dir) / "logs" / f"{command}-{stamp}.log"


def make_console(file: IO[str] | None = None, is_tty: bool | None = None) -> Console:
    """A console for people: 120 columns when the output is a file or a pipe (not 80)."""
    tty = (file or sys.stdout).isatty() if is_tty is None else is_tty
    return Console(file=file, force_terminal=tty, width=None if tty else 120, highlight=False)


@contextmanager
def quiet_output(log_file: Path | None, verbose: bool = False) -> Iterator[Console]:
    """Redirect fds 1 and 2 to ``log_file`` for the duration; yield a console on the terminal.

    File-descriptor level, so dbt's subprocess output and C-level writes go to the file too.
    With ``verbose`` (or no ``log_file``) nothing is redirected.
    """
    if verbose or log_file is None:
        yield make_console()
        return
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal: IO[str] = os.fdopen(os.dup(saved_out), "w", buffering=1, encoding="utf-8")
    is_tty = os.isatty(saved_out)
    with open(log_file, "ab", buffering=0) as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield make_console(terminal, is_tty)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            terminal.close()


class RowsPerSecond(ProgressColumn):
    """``12,345 rows · 4,321 rows/s`` from the ``rows`` field a bar advances."""

    def render(self, task: Task) -> Text:
        rows = int(task.fields.get("rows", 0))
        elapsed = task.finished_time if task.finished else task.elapsed
        rate = rows / elapsed if elapsed else 0.0
        return Text(f"{rows:,} rows {rate:,.0f} rows/s", style="progress.data.speed")


@dataclass
class _Bar:
    progress: Progress
    task_id: Any
    rows: int = 0

    def advance(self, amount: float, rows: int = 0) -> None:
        self.rows += rows
        self.progress.update(self.task_id, advance=amount, rows=self.rows)


class RichReporter:
    """Progress bars on ``console``; the display lives while at least one bar is open."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.progress: Progress | None = None
        self.open = 0

    def start(self, description: str, total: float | None, unit: str) -> _Bar:
        if self.progress is None:
            self.progress = Progress(
                TextColumn("  {task.description:<24}"),
                BarColumn(bar_width=16),
                TaskProgressColumn(),
                RowsPerSecond(),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            )
            self.progress.start()
        self.open += 1
        task_id = self.progress.add_task(description, total=total or None, rows=0)
        return _Bar(self.progress, task_id)

    def finish(self, bar: _Bar) -> None:
        if self.progress is None:
            return
        task = self.progress.tasks[bar.task_id]
        if task.total is not None:
            self.progress.update(bar.task_id, completed=task.total)
        self.open -= 1
        if self.open <= 0:
            self.progress.stop()
            self.progress, self.open = None, 0


@contextmanager
def progress_bars(console: Console) -> Iterator[None]:
    """Show :mod:`orchestration.progress` bars on ``console`` for the duration."""
    previous = progress.install(RichReporter(console))
    try:
        yield
    finally:
        progress.install(previous)


def human_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest:02d} s"


@dataclass
class _Step:
    started: float
    assets: int = 0
    rows: int = 0
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)


#: metadata keys that count rows written by a materialization
ROW_KEYS = ("rows_loaded", "dagster/row_count", "rows_sent", "row_count")


class StepPrinter:
    """A Dagster event listener (``instance.add_event_listener``) printing step lines.

    Asset steps print a line when they start and one when they end; a step that only runs
    checks (great-expectations suites, reconciliation) prints one line when it ends.
    """

    def __init__(
        self,
        console: Console,
        check_steps: set[str] | None = None,
        labels: dict[str, str] | None = None,
    ) -> None:
        self.console = console
        self.check_steps = check_steps or set()
        self.labels = labels or {}
        self.steps: dict[str, _Step] = {}

    def __call__(self, entry: Any) -> None:  # an EventLogEntry
        event = entry.dagster_event
        if event is None or event.step_key is None:
            return
        kind, key = event.event_type_value, event.step_key
        if kind == "STEP_START":
            self.steps[key] = _Step(started=time.perf_counter())
            if key not in self.check_steps:
                label = f"  ({self.labels[key]})" if key in self.labels else ""
                self.console.print(f"▶ {key}{label}", markup=False, soft_wrap=True)
            return
        step = self.steps.get(key)
        if step is None:
            return
        if kind == "ASSET_MATERIALIZATION":
            step.assets += 1
            metadata = event.event_specific_data.materialization.metadata
            step.rows += next((int(metadata[k].value) for k in ROW_KEYS if k in metadata), 0)
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed:
                step.checks_passed += 1
            else:
                severity = evaluation.severity.value if evaluation.severity else "ERROR"
                step.checks_failed.append(f"{evaluation.check_name} [{severity}]")
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            line = self.end_line(key, step, failed=kind == "STEP_FAILURE")
            if kind == "STEP_FAILURE":
                line += "\n    " + failure_line(event.event_specific_data)
            self.console.print(line, markup=False, soft_wrap=True)

    def end_line(self, key: str, step: _Step, failed: bool) -> str:
        mark = "✗" if failed or step.checks_failed else "✓"
        parts = [f"{mark} {key}"]
        if step.assets:
            parts.append(f"{step.assets} asset{'s' * (step.assets != 1)}")
        if step.rows:
            parts.append(f"{step.rows:,} rows")
        parts.append(human_seconds(time.perf_counter() - step.started))
        checks = step.checks_passed + len(step.checks_failed)
        if checks:
            parts.append(f"checks {step.checks_passed} passed, {len(step.checks_failed)} failed")
        if failed:
            parts.append("FAILED")
        line = "  ".join(parts)
        if step.checks_failed:
            line += "\n    failed: " + ", ".join(step.checks_failed[:5])
            if len(step.checks_failed) > 5:
                line += f" (+{len(step.checks_failed) - 5} more)"
        return line


def failure_line(failure_data: Any) -> str:
    """One line for a failed step: the error's first line, and what to do when it is known."""
    error = getattr(failure_data, "error", None)
    message = (getattr(error, "message", "") or "").strip()
    cause = getattr(error, "cause", None)
    while cause is not None:  # the root cause says more than "Error in user code"
        message = (getattr(cause, "message", "") or message).strip()
        cause = getattr(cause, "cause", None)
    first = message.splitlines()[0] if message else "failed (see the log file)"
    why = explain(RuntimeError(message)) if message else None
    return f"error: {first}" + (f" — {why[1]}" if why and why[1] else "")


def explain(exc: BaseException) -> tuple[str, str] | None:
    """(what failed, what to do) for an expected failure; None for a bug (show the traceback)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, LeadhouseError):
        return text, exc.hint
    lowered = str(exc).lower()
    if "could not set lock" in lowered or "conflicting lock" in lowered:
        return (
            "the warehouse is in use by another process (DuckDB allows one writer)",
            "close `make ui`, `dagster dev`, notebooks or BI clients on the file, then retry",
        )
    if type(exc).__name__ == "UnsupportedEngine":  # orchestration/resources.py
        return text, "run it on a DuckDB warehouse (LEADHOUSE_TARGET=duckdb)"
    if type(exc).__name__ == "DagsterDbtManifestNotFoundError":
        return text, "run `make prepare` (it builds the dbt manifest)"
    if isinstance(exc, FileNotFoundError):
        return text, "check the path (LEADHOUSE_LANDING / LEADHOUSE_WAREHOUSE, see README)"
    if isinstance(exc, PermissionError):
        return text, "check the permissions of that path"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", "re-run the command: every step is safe to repeat"
    return None


def run_friendly(command: Any, args: Any) -> int:
    """Run a sub-command; an expected failure prints one line (what failed — what to do) on
    stderr and exits 2. Unexpected errors keep their traceback, so do all with ``-v``."""
    try:
        return int(command(args) or 0)
    except (Exception, KeyboardInterrupt) as exc:
        why = None if getattr(args, "verbose", False) else explain(exc)
        if why is None:
            raise
        what, hint = why
        print(f"leadhouse: {what}" + (f" — {hint}" if hint else ""), file=sys.stderr)
        return 2


def text_table(rows: list[tuple], headers: tuple[str, ...]) -> str:
    """``rows`` under ``headers`` as an indented plain-text table, columns padded to fit."""
    widths = [max(len(str(v)) for v in col) for col in zip(headers, *rows, strict=False)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers), fmt.format(*("-" * w for w in widths))]
    lines += [fmt.format(*(str(v) for v in row)) for row in rows]
    return "\n".join("  " + line for line in lines)

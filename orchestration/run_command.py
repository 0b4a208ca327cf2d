"""``leadhouse run``: materialize every asset through Dagster on the configured warehouse,
then print the run summary and write the HTML report. This is what ``make run`` calls.

Before the run it prepares the dbt manifest when missing, waits (bounded) for a warehouse held
by another run and marks failed the runs a killed ``leadhouse run`` left STARTED
(``orchestration/run_guard.py``). The terminal shows one line per step, progress bars and the
summary; Dagster's and dbt's full logs go to ``<output>/logs/run-<time>.log`` (``-v`` prints
them instead)."""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable

import dagster as dg

from orchestration.config import settings
from orchestration.run_guard import (
    PID_TAG,
    WarehouseBusy,
    ensure_manifest,
    fail_orphaned_runs,
    warehouse_guard,
)

#: exit status of a run that did not start because the warehouse stayed busy (sysexits.h)
EX_TEMPFAIL = 75


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="store_true", help="print the full logs")
    parser.add_argument("--job", default="leadhouse_main", help="Dagster job to execute")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild incremental models")


def full_refresh_config(job: dg.JobDefinition) -> dict:
    """Run config that full-refreshes every step of the dbt build: the staging op, and the
    ``leadhouse_dbt`` op that the job splits into aliased steps (snapshots sit between marts)."""
    return dbt_build_config(job, full_refresh=True)


def dbt_build_config(job: dg.JobDefinition, **values: object) -> dict:
    """Run config giving every step of the dbt build these ``DbtBuildConfig`` values."""
    from orchestration.transform.assets import BUILD_OPS

    ops = {
        node.name: {"config": dict(values)}
        for node in job.graph.nodes
        if node.definition.name in BUILD_OPS
    }
    return {"ops": ops}


def _instance() -> dg.DagsterInstance:
    """$DAGSTER_HOME's instance when set, else an ephemeral one."""
    return dg.DagsterInstance.get() if settings().dagster_home else dg.DagsterInstance.ephemeral()


def execute(
    job_name: str = "leadhouse_main",
    full_refresh: bool = False,
    on_event: Callable | None = None,
    instance: dg.DagsterInstance | None = None,
    run_config: dict | None = None,
) -> dg.ExecuteInProcessResult:
    """Execute a job of the Definitions in this process, recorded in $DAGSTER_HOME when set;
    ``on_event`` receives each event log entry of the run as it happens. Without ``instance``
    it opens one and first marks failed the runs a killed process left STARTED (a caller that
    passes its instance has done that already). ``run_config`` replaces the run's config."""
    from orchestration.definitions import defs

    cfg = settings()
    cfg.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    cfg.output_dir.mkdir(parents=True, exist_ok=True)
    if instance is None:
        instance = _instance()
        fail_orphaned_runs(instance, say=_say)
    job = defs.resolve_job_def(job_name)
    run_config = run_config or (full_refresh_config(job) if full_refresh else {})
    run_id = str(uuid.uuid4())  # known before the run starts, to listen to it
    if on_event is not None:
        instance.add_event_listener(run_id, on_event)
    return job.execute_in_process(
        instance=instance,
        run_config=run_config,
        raise_on_error=False,
        run_id=run_id,
        tags={PID_TAG: str(os.getpid())},
    )


def _say(line: str) -> None:
    print(f"leadhouse run: {line}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    from orchestration.console import StepPrinter, log_path, progress_bars, quiet_output
    from orchestration.run_view import check_steps, step_labels, write_report_quietly
    from orchestration.summary import run_summary

    verbose = getattr(args, "verbose", False)
    started = time.perf_counter()
    try:
        ensure_manifest(_say)
        with warehouse_guard(settings().warehouse_path, say=_say):
            # said on the terminal, before the run's own output goes to the log file
            instance = _instance()
            fail_orphaned_runs(instance, say=_say)
            log = log_path(settings().output_dir, "run")
            with quiet_output(log, verbose=verbose) as console:
                if not verbose:
                    console.print(f"Full Dagster and dbt logs: {log}")
                printer = StepPrinter(console, check_steps(args.job), step_labels(args.job))
                with progress_bars(console):
                    result = execute(
                        args.job,
                        full_refresh=args.full_refresh,
                        on_event=printer,
                        instance=instance,
                    )
                elapsed = time.perf_counter() - started
                console.out(run_summary(result, elapsed_seconds=elapsed))
                console.out(write_report_quietly())
    except WarehouseBusy as exc:
        _say(str(exc))
        return EX_TEMPFAIL
    return 0 if result.success else 1

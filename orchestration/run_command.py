"""``leadhouse run``: materialize every asset through Dagster on the configured warehouse,
then print the run summary. This is what ``make run`` calls.

Before the run it prepares the dbt manifest when missing, waits (bounded) for a warehouse held
by another run and marks failed the runs a killed ``leadhouse run`` left STARTED
(``orchestration/run_guard.py``)."""

from __future__ import annotations

import argparse
import os
import sys
import time

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
    parser.add_argument("--job", default="leadhouse_main", help="Dagster job to execute")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild incremental models")


def full_refresh_config(job: dg.JobDefinition) -> dict:
    """Run config that full-refreshes every step of the dbt build: the staging op, and the
    ``leadhouse_dbt`` op that the job splits into aliased steps (snapshots sit between marts)."""
    from orchestration.transform.assets import BUILD_OPS

    ops = {
        node.name: {"config": {"full_refresh": True}}
        for node in job.graph.nodes
        if node.definition.name in BUILD_OPS
    }
    return {"ops": ops}


def execute(
    job_name: str = "leadhouse_main", full_refresh: bool = False
) -> dg.ExecuteInProcessResult:
    """Execute a job of the Definitions in this process, recorded in $DAGSTER_HOME when set."""
    from orchestration.definitions import defs

    cfg = settings()
    cfg.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    cfg.output_dir.mkdir(parents=True, exist_ok=True)
    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )
    fail_orphaned_runs(instance, say=_say)
    job = defs.resolve_job_def(job_name)
    run_config = full_refresh_config(job) if full_refresh else {}
    return job.execute_in_process(
        instance=instance,
        run_config=run_config,
        raise_on_error=False,
        tags={PID_TAG: str(os.getpid())},
    )


def _say(line: str) -> None:
    print(f"leadhouse run: {line}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        ensure_manifest(_say)
        with warehouse_guard(settings().warehouse_path, say=_say):
            result = execute(args.job, full_refresh=args.full_refresh)
    except WarehouseBusy as exc:
        _say(str(exc))
        return EX_TEMPFAIL
    from orchestration.summary import run_summary

    elapsed = time.perf_counter() - started
    print(run_summary(result, elapsed_seconds=elapsed))
    return 0 if result.success else 1

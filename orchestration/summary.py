"""The short summary ``make run`` prints: rows per layer, quarantine by reason, checks,
and (through each area's report function) stages, tiers, explanations and syncs."""

from __future__ import annotations

import argparse
import importlib
import inspect
from collections import Counter

import dagster as dg
import duckdb

from orchestration.console import text_table
from orchestration.resources import missing_relation, warehouse

#: area report functions: (module, function); each takes a read-only warehouse connection
AREA_REPORTS = (
    ("orchestration.transform.scoring_report", "scoring_summary"),
    ("orchestration.quality.report", "quality_summary"),
    ("orchestration.activation.report", "sync_summary"),
    ("orchestration.ingestion.report", "inputs_summary"),
    ("orchestration.publish.report", "publish_summary"),
)
LAYERS = ("raw", "staging", "intermediate", "marts", "snapshots", "retl")


def rows_per_layer(con: duckdb.DuckDBPyConnection) -> str:
    tables = con.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_schema in ({}) order by 1, 2".format(",".join(f"'{s}'" for s in LAYERS))
    ).fetchall()
    rows = []
    for schema, name, kind in tables:
        count = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
        rows.append((schema, name, "view" if kind == "VIEW" else "table", f"{count:,}"))
    return text_table(rows, ("layer", "relation", "kind", "rows")) if rows else "  (no tables yet)"


def quarantine_by_reason(con: duckdb.DuckDBPyConnection) -> str:
    try:
        rows = con.execute(
            "select source, reason, count(*) from raw.quarantine group by source, reason "
            "order by 1, 3 desc"
        ).fetchall()
    except Exception as exc:
        if not missing_relation(exc):
            raise
        return "  (no quarantine table)"
    return (
        text_table([(s, r, f"{n:,}") for s, r, n in rows], ("source", "reason", "rows"))
        if rows
        else "  (none)"
    )


def check_results(result: dg.ExecuteInProcessResult) -> str:
    evaluations = result.get_asset_check_evaluations()
    outcome = Counter()
    failed = []
    for ev in evaluations:
        severity = ev.severity.value if ev.severity else "ERROR"
        outcome["passed" if ev.passed else f"failed ({severity})"] += 1
        if not ev.passed:
            why = f": {ev.description}" if ev.description else ""
            failed.append(
                f"    - {ev.asset_key.to_user_string()} :: {ev.check_name} [{severity}]{why}"
            )
    head = ", ".join(f"{k}: {v}" for k, v in sorted(outcome.items())) or "no checks ran"
    return "  " + head + ("\n" + "\n".join(failed) if failed else "")


def area_reports(con: duckdb.DuckDBPyConnection, run_id: str | None = None) -> str:
    """Each area's report; those that take ``run_id`` show only that run's results (checks,
    syncs), never a previous run's."""
    parts = []
    for module_name, function in AREA_REPORTS:
        try:
            report = getattr(importlib.import_module(module_name), function)
        except (ImportError, AttributeError):
            continue
        scoped = run_id is not None and "run_id" in inspect.signature(report).parameters
        try:
            parts.append(report(con, run_id=run_id) if scoped else report(con))
        except Exception as exc:  # noqa: BLE001 - a layer that was not built in this run
            if not isinstance(exc, duckdb.Error) and not missing_relation(exc):
                raise
            parts.append(f"({module_name}: {exc.__class__.__name__}: {exc})")
    return "\n\n".join(parts)


def warehouse_summary(run_id: str | None = None) -> str:
    wh = warehouse()
    if not wh.exists():
        return f"no warehouse at {wh.location}"
    with wh.connect(read_only=True) as con:
        return "\n\n".join(
            [
                f"Warehouse: {wh.location}",
                "Rows per layer:\n" + rows_per_layer(con),
                "Quarantined rows by reason:\n" + quarantine_by_reason(con),
                area_reports(con, run_id),
            ]
        )


def run_summary(result: dg.ExecuteInProcessResult, elapsed_seconds: float) -> str:
    status = "SUCCESS" if result.success else "FAILURE"
    lines = [f"Run {result.run_id}: {status} in {elapsed_seconds:.1f} s"]
    failed_steps = [e.step_key for e in result.all_events if e.is_step_failure]
    # A step whose upstream failed (a blocking check above all) is never started: Dagster
    # only logs "Dependencies for step X failed. Not executing." Every op of the job is a step.
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    skipped = sorted({node.name for node in result.job_def.graph.nodes} - started)
    if failed_steps:
        lines.append("Failed steps: " + ", ".join(failed_steps))
    if skipped:
        lines.append("Skipped (blocked upstream): " + ", ".join(skipped))
    lines.append("Checks:\n" + check_results(result))
    lines.append(warehouse_summary(result.run_id))
    return "\n\n".join(lines)


def configure(parser: argparse.ArgumentParser) -> None:
    """``leadhouse summary``: the warehouse part of the summary, without running anything."""


def run(args: argparse.Namespace) -> int:
    print(warehouse_summary())
    return 0

"""Helpers of ``leadhouse run``'s terminal view: which steps only run checks (one line each),
and the HTML report written after the summary."""

from __future__ import annotations

import dagster as dg


def check_steps(job_name: str) -> set[str]:
    """Step keys of the job whose op materializes no asset (asset checks only)."""
    from orchestration.definitions import defs

    job = defs.resolve_job_def(job_name)
    asset_ops = {
        a.op.name for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition) and a.keys
    }
    return {node.name for node in job.graph.nodes if node.definition.name not in asset_ops}


def write_report_quietly() -> str:
    """Write ``report.html``; one line saying where, or why not (a run never fails on it)."""
    try:
        from orchestration.report.build import write_report

        path = write_report()
    except Exception as exc:  # noqa: BLE001 - the report must not turn a good run red
        return f"Report not written: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    return f"Report: {path}"

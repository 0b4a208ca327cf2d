"""``quality_summary(con)``: the check results per layer that ``make run`` prints.

Reads the latest outcome of every check (saved by the check steps under
``LEADHOUSE_OUTPUT/quality/results``) and rebuilds the GX Data Docs of that run.
"""

from __future__ import annotations

from collections import defaultdict

from orchestration.config import settings
from orchestration.quality.data_docs import build_data_docs
from orchestration.quality.results import load_outcomes
from orchestration.quality.suites import LAYERS


def format_summary(outcomes: list[dict], docs_index: str | None = None) -> str:
    """Text block: per layer, passed / failed counts by severity, then each failure and why."""
    lines = ["Data quality (great-expectations suites as Dagster asset checks):"]
    if not outcomes:
        return "\n".join([*lines, "  (no quality check ran)"])
    by_layer: dict[str, list[dict]] = defaultdict(list)
    for o in outcomes:
        by_layer[o["layer"]].append(o)
    for layer in [*LAYERS, *sorted(set(by_layer) - set(LAYERS))]:
        items = by_layer.get(layer, [])
        if not items:
            continue
        passed = sum(o["passed"] for o in items)
        failed_error = sum(not o["passed"] and o["severity"] == "ERROR" for o in items)
        failed_warn = sum(not o["passed"] and o["severity"] != "ERROR" for o in items)
        lines.append(
            f"  {layer:<8} {passed} passed, {failed_error} failed (ERROR, blocking), "
            f"{failed_warn} failed (WARN)"
        )
        for o in items:
            if not o["passed"]:
                asset = "/".join(o["asset_key"])
                lines.append(f"    - [{o['severity']}] {asset} :: {o['name']}: {o['message']}")
    if docs_index:
        lines.append(f"  Data Docs: {docs_index}")
    return "\n".join(lines)


def quality_summary(con: object = None, run_id: str | None = None) -> str:
    """Check results per layer of the latest run (of run ``run_id`` only, when given: a check
    that did not run in it is not shown); also rebuilds the Data Docs site."""
    out = settings().output_dir
    outcomes = load_outcomes(out)
    if run_id is not None:
        outcomes = [o for o in outcomes if o.get("run_id") == run_id]
    index = build_data_docs(out) if outcomes else None
    return format_summary(outcomes, str(index) if index else None)

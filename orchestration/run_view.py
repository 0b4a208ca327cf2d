"""Helpers of ``leadhouse run``'s terminal view: which steps only run checks (one line each),
and the HTML report written after the summary."""

from __future__ import annotations

from collections import Counter

import dagster as dg


def check_steps(job_name: str) -> set[str]:
    """Step keys of the job whose op materializes no asset (asset checks only)."""
    from orchestration.definitions import defs

    job = defs.resolve_job_def(job_name)
    asset_ops = {
        a.op.name for a in defs.assets or [] if isinstance(a, dg.AssetsDefinition) and a.keys
    }
    return {node.name for node in job.graph.nodes if node.definition.name not in asset_ops}


#: asset groups in pipeline order (the order a step's label lists them)
GROUP_ORDER = ("ingestion", "config_seeds", "staging", "intermediate", "marts", "snapshots")


def _group_order(group: str) -> tuple[int, str]:
    return (GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER), group)


def step_labels(job_name: str) -> dict[str, str]:
    """What each asset step builds, for its start line: ``dbt: 5 staging, 16 intermediate, ...``
    (a dbt step's key alone, ``leadhouse_dbt_2``, says little). Empty if Dagster's internals
    moved: the labels are a nicety."""
    try:
        from dagster._core.definitions.dependency import NodeHandle

        from orchestration.definitions import defs

        job = defs.resolve_job_def(job_name)
        graph = defs.resolve_asset_graph()
        labels = {}
        for node in job.graph.nodes:
            keys = job.asset_layer.get_selected_entity_keys_for_node(NodeHandle(node.name, None))
            groups = Counter(graph.get(k).group_name for k in keys if isinstance(k, dg.AssetKey))
            if not groups:
                continue
            kinds = graph.get(next(k for k in keys if isinstance(k, dg.AssetKey))).kinds
            prefix = "dbt: " if "dbt" in kinds else ""
            ordered = sorted(groups.items(), key=lambda item: _group_order(item[0]))
            labels[node.name] = prefix + ", ".join(
                f"{n} {group}" if len(groups) > 1 or n > 1 else group for group, n in ordered
            )
        return labels
    except Exception:  # noqa: BLE001 - a private API: without it, steps print their key only
        return {}


def write_report_quietly() -> str:
    """Write ``report.html``; one line saying where, or why not (a run never fails on it)."""
    try:
        from orchestration.report.build import write_report

        path = write_report()
    except Exception as exc:  # noqa: BLE001 - the report must not turn a good run red
        return f"Report not written: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    return f"Report: {path}"

"""Dagster asset checks built from the suites: one ``@asset_check`` per :class:`CheckSpec`.

ERROR checks are ``blocking=True``: when one fails, Dagster skips every asset downstream of
the guarded asset in that run (the CRM sync above all) and the check's description and
metadata say which rule failed, the observed values and a sample of failing rows.
WARN checks inform and block nothing.
"""

import json

import dagster as dg

from orchestration.config import settings
from orchestration.quality.history import previous_stats
from orchestration.quality.results import save_outcome
from orchestration.quality.runner import CheckOutcome, run_check
from orchestration.quality.suites import SUITES_VERSION, CheckSpec, all_checks
from orchestration.quality.thresholds import Thresholds, load_thresholds


def _md_sample(failures: list[dict]) -> str:
    lines = []
    for f in failures:
        lines.append(f"**{f['message']}**")
        for row in f.get("sample") or []:
            lines.append(f"- `{json.dumps(row, default=str)}`")
    return "\n".join(lines) or "(none)"


def check_result(spec: CheckSpec, outcome: CheckOutcome) -> dg.AssetCheckResult:
    """The AssetCheckResult of an outcome: severity, failing rules, observed values, samples."""
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(spec.asset_key)),
        check_name=spec.name,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR
        if spec.severity == "ERROR"
        else dg.AssetCheckSeverity.WARN,
        description=outcome.message[:2000],
        metadata={
            "layer": spec.layer,
            "severity": spec.severity,
            "blocking": spec.severity == "ERROR",
            "failing_expectations": dg.MetadataValue.json(
                [
                    {
                        k: f[k]
                        for k in (
                            "expectation",
                            "message",
                            "kwargs",
                            "unexpected_count",
                            "unexpected_percent",
                        )
                        if k in f
                    }
                    for f in outcome.failures
                ]
            ),
            "observed_values": dg.MetadataValue.json(outcome.observed),
            "failing_rows_sample": dg.MetadataValue.md(_md_sample(outcome.failures)),
            "failing_count": len(outcome.failures),
            "suites_version": SUITES_VERSION,
            "elapsed_seconds": round(outcome.elapsed_seconds, 3),
            **({"note": outcome.note} if outcome.note else {}),
        },
    )


def run_batch_ids(context: dg.AssetCheckExecutionContext, key: dg.AssetKey) -> list[str]:
    """The ingestion batch of ``key`` materialized in this run (the ``batch_id`` metadata the
    ingestion assets record), or none: a load is judged once, in the run that loads it."""
    event = context.instance.get_latest_materialization_event(key)
    if event is None or event.run_id != context.run.run_id:
        return []
    mat = event.asset_materialization
    batch = mat.metadata.get("batch_id") if mat else None
    return [str(batch.value)] if batch is not None else []


def _make_check(spec: CheckSpec, sample_rows: int) -> dg.AssetChecksDefinition:
    blocking = spec.severity == "ERROR"

    @dg.asset_check(
        asset=dg.AssetKey(list(spec.asset_key)),
        name=spec.name,
        blocking=blocking,
        description=f"[{spec.severity}{', blocking' if blocking else ''}] {spec.description} "
        f"(great-expectations suite, {spec.layer} layer, thresholds.yml)",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        cfg = settings()
        key = dg.AssetKey(list(spec.asset_key))
        batch_ids = run_batch_ids(context, key) if spec.run_scoped else None
        outcome = run_check(spec, cfg.warehouse_path, sample_rows, batch_ids)
        save_outcome(cfg.output_dir, outcome, context.run.run_id)
        asset = "/".join(spec.asset_key)
        if outcome.passed:
            context.log.info(
                f"quality check {spec.name} on {asset}: passed ({outcome.elapsed_seconds:.2f} s)"
            )
        elif blocking:
            context.log.error(
                f"BLOCKING quality check {spec.name} on {asset} FAILED: {outcome.message}. "
                f"Assets downstream of {asset} (CRM syncs included) are not materialized "
                "in this run."
            )
        else:
            context.log.warning(
                f"quality check {spec.name} on {asset} failed (WARN): {outcome.message}"
            )
        return check_result(spec, outcome)

    return _check


def build_asset_checks(thresholds: Thresholds | None = None) -> list[dg.AssetChecksDefinition]:
    """Every quality asset check, from thresholds.yml (or the given thresholds)."""
    t = thresholds or load_thresholds()
    specs = all_checks(t, previous_stats=lambda: previous_stats(settings().output_dir))
    return [_make_check(spec, t.sample_rows) for spec in specs]

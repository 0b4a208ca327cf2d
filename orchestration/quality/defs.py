"""Dagster definitions of the quality area (merged in orchestration/definitions.py):

- one asset check per great-expectations suite (``checks.py``), ERROR ones blocking;
- ``quality/score_stats_history``: records the lead_score distribution once the blocking
  checks on ``mart_lead_scores`` passed (the baseline of the next run's drift check);
- run-status sensors that rebuild the GX Data Docs after every run (``dagster dev``).
"""

import dagster as dg

from orchestration.config import settings
from orchestration.quality.checks import build_asset_checks
from orchestration.quality.data_docs import build_data_docs
from orchestration.quality.history import current_stats, record_stats
from orchestration.quality.thresholds import load_thresholds

THRESHOLDS = load_thresholds()
SCORES_ASSET = dg.AssetKey(THRESHOLDS.tables.marts.lead_scores.asset)


@dg.asset(
    key=["quality", "score_stats_history"],
    deps=[SCORES_ASSET],
    group_name="quality",
    kinds={"python"},
    owners=["team:data-platform"],
    description="Appends this run's lead_score distribution (per model) to the drift baseline "
    "file under LEADHOUSE_OUTPUT/quality/; skipped when a blocking check on the scores fails.",
)
def score_stats_history(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    cfg = settings()
    stats = current_stats(cfg.warehouse_path, THRESHOLDS)
    path = record_stats(cfg.output_dir, stats, context.run_id)
    return dg.MaterializeResult(metadata={"path": str(path), "stats": dg.MetadataValue.json(stats)})


def _rebuild_docs(context: dg.RunStatusSensorContext) -> None:
    index = build_data_docs(settings().output_dir)
    context.log.info(f"GX Data Docs: {index or 'no check results yet'}")


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="quality_data_docs_on_success",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def data_docs_on_success(context: dg.RunStatusSensorContext) -> None:
    _rebuild_docs(context)


@dg.run_failure_sensor(
    name="quality_data_docs_on_failure", default_status=dg.DefaultSensorStatus.RUNNING
)
def data_docs_on_failure(context: dg.RunFailureSensorContext) -> None:
    _rebuild_docs(context)


defs = dg.Definitions(
    assets=[score_stats_history],
    asset_checks=build_asset_checks(THRESHOLDS),
    sensors=[data_docs_on_success, data_docs_on_failure],
)

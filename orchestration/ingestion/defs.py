"""Dagster definitions of the ingestion area (merged in orchestration/definitions.py).

One asset per source (``["raw", <source>]``, group ``ingestion``, kind ``duckdb``), a
blocking reconciliation check on each, the ``ingest_job`` and a sensor on the landing folder.
The hourly schedule is the transform area's ``hourly_incremental`` (ingestion, then the
incremental dbt models), so two hourly runs never compete for DuckDB's writer lock.
"""

import json

import dagster as dg

from orchestration.config import SOURCES, settings
from orchestration.ingestion.ingest import ingest_source
from orchestration.ingestion.landing import fingerprint
from orchestration.ingestion.reconcile import reconcile
from orchestration.ingestion.warehouse import raw_tables_exist
from orchestration.resources import WarehouseResource

GROUP = "ingestion"


def raw_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source])


def _build_asset(source: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(source),
        group_name=GROUP,
        kinds={"duckdb", "python"},
        owners=["team:data-platform"],
        description=(
            f"raw.{source}: new files of landing/{source}/ loaded as they arrived, with load "
            "metadata; bad records in raw.quarantine; each file in raw.load_manifest."
        ),
    )
    def _asset(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        report = ingest_source(
            source, batch_id=f"{context.run.run_id[:8]}-{source}", resource=warehouse.get()
        )
        summary = report.summary()
        for path in report.changed_after_load:
            context.log.warning(f"{path} changed after it was loaded: its new records loaded")
        for path in report.unsettled:
            context.log.info(f"{path} is still being written: left for the next run")
        if report.failed:
            raise dg.Failure(
                description=f"{len(report.failed)} {source} file(s) could not be read",
                metadata={"failed": dg.MetadataValue.json(summary["failed"])},
            )
        return dg.MaterializeResult(
            metadata={
                "batch_id": summary["batch_id"],
                "files_loaded": summary["files_loaded"],
                "files_skipped": summary["files_skipped"],
                "files_changed_after_load": summary["files_changed_after_load"],
                "files_unsettled": summary["files_unsettled"],
                "files_unrecognized": summary["files_unrecognized"],
                "rows_in": summary["rows_in"],
                "rows_loaded": summary["rows_loaded"],
                "rows_duplicate": summary["rows_duplicate"],
                "rows_quarantined": summary["rows_quarantined"],
                "quarantine_by_reason": dg.MetadataValue.json(summary["quarantine_by_reason"]),
                "changed_after_load": dg.MetadataValue.json(summary["changed_after_load"]),
                "unsettled_files": dg.MetadataValue.json(summary["unsettled"]),
                "unrecognized_files": dg.MetadataValue.json(summary["unrecognized"]),
            }
        )

    return _asset


def _build_check(source: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=raw_key(source),
        name="reconciles_with_manifest",
        blocking=True,
        description=(
            "Per file: rows_in = loaded + duplicate + quarantined, the manifest counts equal "
            "the rows in the raw table and in raw.quarantine, and the records counted in the "
            "file equal the records the loader read (ERROR). A file reloaded because it "
            "changed after load is a WARN."
        ),
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> dg.AssetCheckResult:
        wh = warehouse.get()
        if not wh.exists():
            return dg.AssetCheckResult(
                passed=False, metadata={"problem": f"no warehouse at {wh.location}"}
            )
        with wh.connect(read_only=True) as con:
            if not raw_tables_exist(con):
                return dg.AssetCheckResult(passed=False, metadata={"problem": "raw schema missing"})
            result = reconcile(con, source, batch_id=f"{context.run.run_id[:8]}-{source}")
        warn_only = result.passed and bool(result.changed)
        return dg.AssetCheckResult(
            passed=result.passed and not result.changed,
            severity=dg.AssetCheckSeverity.WARN if warn_only else dg.AssetCheckSeverity.ERROR,
            description=(
                "; ".join(result.problems[:5])
                if not result.passed
                else ("; ".join(result.changed[:5]) if result.changed else None)
            ),
            metadata={
                "files": result.files,
                "rows_in": result.rows_in,
                "rows_loaded": result.rows_loaded,
                "rows_duplicate": result.rows_duplicate,
                "rows_quarantined": result.rows_quarantined,
                "problems": dg.MetadataValue.json(result.problems[:50]),
                "changed_after_load": dg.MetadataValue.json(result.changed[:50]),
            },
        )

    return _check


raw_assets = [_build_asset(source) for source in SOURCES]
reconciliation_checks = [_build_check(source) for source in SOURCES]

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.assets(*[raw_key(s) for s in SOURCES]),
    executor_def=dg.in_process_executor,  # one DuckDB writer
    description="Load new landing files into raw.* and reconcile.",
)


@dg.sensor(job=ingest_job, minimum_interval_seconds=60, description="New or changed landing files")
def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Fingerprint each source folder (paths, sizes, mtimes; no file is read). When a source's
    fingerprint differs from the cursor, request an ingest run of the sources that changed."""
    current = fingerprint(settings().landing_dir)
    previous = json.loads(context.cursor) if context.cursor else {}
    changed = [s for s in SOURCES if current.get(s) != previous.get(s)]
    if not changed:
        return dg.SkipReason("no new or changed landing files")
    run_key = "ingest-" + "-".join(f"{s}:{current[s]}" for s in changed)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=run_key, asset_selection=[raw_key(s) for s in changed])
        ],
        cursor=json.dumps(current, sort_keys=True),
    )


defs = dg.Definitions(
    assets=raw_assets,
    asset_checks=reconciliation_checks,
    jobs=[ingest_job],
    sensors=[landing_sensor],
    resources={"warehouse": WarehouseResource()},
)

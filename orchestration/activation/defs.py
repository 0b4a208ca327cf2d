"""Dagster definitions of the activation area (merged in orchestration/definitions.py).

One asset ``crm_sync__<sync_id>`` per shipped spec, downstream of its mart (so a failing
blocking check on the mart stops it), group ``activation``, with the run's counts as
materialization metadata and an asset check on the rejected share. A HubSpot/Salesforce
sync whose token is not in the environment runs as a dry run (metadata says why), so
``make run`` never fails for lack of CRM credentials.
"""

import dagster as dg

from orchestration.activation.resources import (
    HubSpotResource,
    SalesforceResource,
    default_hubspot,
    default_salesforce,
    make_destination,
    missing_credentials,
)
from orchestration.activation.runner import SyncFailed, SyncReport, run_sync
from orchestration.activation.spec import SyncSpec, shipped_specs
from orchestration.config import settings

CHECK_NAME = "rejected_share_below_threshold"


def asset_key(spec: SyncSpec) -> dg.AssetKey:
    return dg.AssetKey(f"crm_sync__{spec.sync_id}")


def model_key(spec: SyncSpec) -> dg.AssetKey:
    """The dbt asset key of the source model: its name (data-contracts §5)."""
    return dg.AssetKey(spec.model.split(".")[-1])


def report_metadata(report: SyncReport) -> dict:
    c = report.counts
    meta = {
        "sync_run_id": report.sync_run_id,
        "status": report.status,
        "dry_run": report.dry_run,
        "planned": c.get("planned_inserts", 0)
        + c.get("planned_updates", 0)
        + c.get("planned_deletes", 0),
        "planned_inserts": c.get("planned_inserts", 0),
        "planned_updates": c.get("planned_updates", 0),
        "planned_deletes": c.get("planned_deletes", 0),
        "sent": c.get("sent_rows", 0),
        "succeeded": c.get("succeeded_rows", 0),
        "rejected": c.get("rejected_rows", 0),
        "failed": c.get("failed_rows", 0),
        "unchanged": c.get("unchanged_rows", 0),
        "invalid": c.get("invalid_rows", 0) - c.get("suppressed_rows", 0),
        "suppressed": c.get("suppressed_rows", 0),
        "api_calls": c.get("api_calls", 0),
        "sample_payloads": dg.MetadataValue.json(report.samples),
    }
    if report.dry_run_reason:
        meta["dry_run_reason"] = report.dry_run_reason
    return meta


def build_sync_asset(spec: SyncSpec) -> dg.AssetsDefinition:
    """The asset (and its check) that runs ``spec``."""
    key = asset_key(spec)

    @dg.asset(
        key=key,
        deps=[model_key(spec)],
        group_name="activation",
        kinds={"python", spec.destination},
        owners=["team:revenue-ops"],
        description=f"Reverse-ETL sync {spec.sync_id}: {spec.model} -> {spec.destination} "
        f"{spec.object} ({spec.mode}). {spec.description}",
        check_specs=[
            dg.AssetCheckSpec(
                CHECK_NAME,
                asset=key,
                description=f"rejected / sent <= {spec.reject_abort_threshold:.0%}",
            )
        ],
    )
    def _sync(
        context: dg.AssetExecutionContext,
        retl_hubspot: HubSpotResource,
        retl_salesforce: SalesforceResource,
    ) -> dg.MaterializeResult:
        cfg = settings()
        missing = missing_credentials(spec, retl_hubspot, retl_salesforce)
        if missing:
            context.log.info(f"{spec.sync_id}: {missing}; running as a dry run")
        try:
            report = run_sync(
                spec,
                warehouse=cfg.warehouse_path,
                dry_run=missing is not None,
                dry_run_reason=missing,
                dagster_run_id=context.run_id,
                destination_factory=lambda run_id: make_destination(
                    spec,
                    run_id,
                    output_dir=cfg.output_dir,
                    hubspot=retl_hubspot,
                    salesforce=retl_salesforce,
                ),
            )
        except SyncFailed as exc:
            raise dg.Failure(description=str(exc), metadata=report_metadata(exc.report)) from None
        share = report.rejected_share
        return dg.MaterializeResult(
            metadata=report_metadata(report),
            check_results=[
                dg.AssetCheckResult(
                    check_name=CHECK_NAME,
                    passed=share <= spec.reject_abort_threshold,
                    severity=dg.AssetCheckSeverity.ERROR,
                    metadata={
                        "rejected_share": float(round(share, 4)),
                        "threshold": spec.reject_abort_threshold,
                        "rejected": report.counts.get("rejected_rows", 0),
                        "sent": report.counts.get("sent_rows", 0),
                    },
                )
            ],
        )

    return _sync


sync_assets = [build_sync_asset(spec) for spec in shipped_specs().values()]

defs = dg.Definitions(
    assets=sync_assets,
    resources={"retl_hubspot": default_hubspot(), "retl_salesforce": default_salesforce()},
)

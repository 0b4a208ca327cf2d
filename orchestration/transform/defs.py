"""Dagster definitions of the transform area: dbt assets, jobs and schedules."""

import dagster as dg
from dagster_dbt import build_dbt_asset_selection

from orchestration.project import dbt_resource
from orchestration.transform.assets import (
    leadhouse_dbt_assets,
    leadhouse_dbt_staging_assets,
    snapshot_assets,
)
from orchestration.transform.dbt_args import HOURLY_TEST_SCOPE
from orchestration.transform.handoffs import handoff_sensor

_snapshots = snapshot_assets()

#: Everything, from landing files to CRM syncs: what `make run` and the nightly schedule run.
main_job = dg.define_asset_job("leadhouse_main", selection=dg.AssetSelection.all())

#: The hourly path: new files in, then the dbt build — incremental facts merge only new rows
#: (late data and new stitching handled inside the models), scores and lifecycle follow.
#: Snapshots (and the stage transitions built from them) and CRM syncs stay on the nightly
#: full build.
hourly_job = dg.define_asset_job(
    "hourly_incremental",
    selection=dg.AssetSelection.groups("ingestion")
    | build_dbt_asset_selection([leadhouse_dbt_staging_assets])
    | build_dbt_asset_selection([leadhouse_dbt_assets])
    # BI gets every good hourly run too (the publish asset waits on every blocking check)
    | dg.AssetSelection.assets("published_analytics"),
    # the dbt tests of the big incremental tables read the newest load (the nightly build: all)
    config={
        "ops": {
            op: {"config": {"test_scope": HOURLY_TEST_SCOPE}}
            for op in ("leadhouse_dbt_staging", "leadhouse_dbt")
        }
    },
)

hourly_schedule = dg.ScheduleDefinition(
    name="hourly_incremental_schedule", job=hourly_job, cron_schedule="0 * * * *"
)
nightly_schedule = dg.ScheduleDefinition(
    name="nightly_full_build", job=main_job, cron_schedule="0 3 * * *"
)


defs = dg.Definitions(
    assets=[leadhouse_dbt_staging_assets, leadhouse_dbt_assets, *_snapshots],
    jobs=[main_job, hourly_job],
    schedules=[hourly_schedule, nightly_schedule],
    sensors=[handoff_sensor],
    resources={"dbt": dbt_resource()},
)

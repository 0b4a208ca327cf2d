"""Dagster definitions of the publish area (merged in orchestration/definitions.py).

One asset, ``published_analytics``: after the marts are built and every blocking check has
passed, it copies the relations of ``published.yml`` into the read-only analytics database and
swaps it in atomically (``duckdb_file.py``; the schema swap of ``postgres.py`` on the PostgreSQL
target). Its dependencies are the published marts plus the asset of every blocking check of the
other areas, so the asset graph shows what BI sees and a run with a failing blocking check
anywhere never reaches it. ``leadhouse_main`` selects every
asset, so it publishes at the end of every good run.
"""

from collections.abc import Iterable

import dagster as dg

from orchestration.activation import defs as activation
from orchestration.config import settings
from orchestration.ingestion import defs as ingestion
from orchestration.publish.spec import default_spec
from orchestration.quality import defs as quality
from orchestration.transform import defs as transform

PUBLISH_KEY = dg.AssetKey("published_analytics")

#: The areas whose blocking checks guard what is published.
AREAS = (ingestion.defs, transform.defs, quality.defs, activation.defs)


def blocking_check_assets(areas: Iterable[dg.Definitions]) -> set[dg.AssetKey]:
    """The assets that carry at least one blocking check in ``areas``."""
    keys: set[dg.AssetKey] = set()
    for area in areas:
        for item in [*(area.assets or []), *(area.asset_checks or [])]:
            for spec in getattr(item, "check_specs", []) or []:
                if spec.blocking:
                    keys.add(spec.asset_key)
    return keys


def publish_deps(areas: Iterable[dg.Definitions]) -> list[dg.AssetKey]:
    """The published marts, then every asset that carries a blocking check, directly: the
    publish step then waits for each of those checks itself and is skipped when one fails,
    even where a check runs after the multi-asset step that already built the marts."""
    published = [dg.AssetKey(name) for name in default_spec().names]
    extra = sorted(blocking_check_assets(areas) - set(published), key=lambda k: k.to_user_string())
    return [*published, *extra]


@dg.asset(
    key=PUBLISH_KEY,
    deps=publish_deps(AREAS),
    group_name="publish",
    kinds={"duckdb"},
    owners=["team:marketing-ops"],  # the BI layer's owners (transform/translator.py)
    description="The read-only analytics database BI reads (LEADHOUSE_ANALYTICS, default "
    "data/warehouse/analytics.duckdb): the marts of orchestration/publish/published.yml, "
    "copied after every blocking check passed and swapped in atomically; the previous version "
    "is kept for `leadhouse publish --rollback`. On the postgres target: schema `published`.",
)
def published_analytics(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from orchestration.publish.command import publish_now

    report = publish_now(context.run.run_id)
    context.log.info(
        f"published {sum(report.rows.values()):,} rows in {len(report.rows)} relations to "
        f"{report.path}: build {report.build_seconds:.2f} s, "
        f"swap {report.swap_seconds * 1000:.1f} ms"
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(report.path)),
            "source_run_id": report.source_run_id,
            "data_as_of": str(report.data_as_of) if report.data_as_of else "(no data)",
            "published_at": str(report.published_at),
            "rows": dg.MetadataValue.json(report.rows),
            **{f"rows/{name}": n for name, n in report.rows.items()},
            "total_rows": sum(report.rows.values()),
            "build_seconds": round(report.build_seconds, 3),
            "swap_seconds": round(report.swap_seconds, 6),
            "sync_seconds": round(report.sync_seconds, 6),
            "publish_seconds": round(report.publish_seconds, 3),
            "bytes": report.bytes,
            "engine": settings().dbt_target,
        }
    )


defs = dg.Definitions(assets=[published_analytics])

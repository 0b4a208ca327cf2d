"""dagster-dbt assets for the whole dbt project: models, seeds and their tests in one
``dbt build``, snapshots in another (they run nightly, and after every full run)."""

import json
from functools import cache

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets

from orchestration.project import leadhouse_project
from orchestration.transform.dbt_args import build_args
from orchestration.transform.translator import LeadhouseTranslator
from orchestration.transform.warehouse_metadata import compiled_tests, enrich


class DbtBuildConfig(dg.Config):
    """Run configuration of the dbt assets (the launchpad shows it)."""

    full_refresh: bool = False
    as_of: str | None = None  # ISO timestamp: score as of this date (replay history)


def _dbt_vars(config: DbtBuildConfig) -> dict[str, object]:
    return {"as_of": config.as_of} if config.as_of else {}


@cache
def manifest() -> dict:
    """The manifest prepared at build time (``make prepare``)."""
    return json.loads(leadhouse_project.manifest_path.read_text())


def _compiled(invocation: DbtCliInvocation) -> dict[str, str]:
    try:
        return compiled_tests(invocation.get_artifact("run_results.json"))
    except (OSError, ValueError):
        return {}


def has_snapshots() -> bool:
    return any(node["resource_type"] == "snapshot" for node in manifest()["nodes"].values())


@dbt_assets(
    manifest=leadhouse_project.manifest_path,
    project=leadhouse_project,
    dagster_dbt_translator=LeadhouseTranslator(),
    exclude="resource_type:snapshot",
    name="leadhouse_dbt",
)
def leadhouse_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
):
    """Seeds, staging, intermediate and marts with their dbt tests (as asset checks)."""
    args = build_args(full_refresh=config.full_refresh, dbt_vars=_dbt_vars(config))
    # No fetch_column_metadata()/fetch_row_counts(): they open warehouse connections while dbt
    # holds DuckDB's single writer lock. Row counts and failing rows are added once dbt exits.
    invocation = dbt.cli(args, context=context)
    yield from enrich(invocation.stream(), manifest()["nodes"], lambda: _compiled(invocation))


def snapshot_assets() -> list:
    """The snapshots' assets, or none when the project has no snapshot."""
    if not has_snapshots():
        return []

    @dbt_assets(
        manifest=leadhouse_project.manifest_path,
        project=leadhouse_project,
        dagster_dbt_translator=LeadhouseTranslator(),
        select="resource_type:snapshot",
        name="leadhouse_dbt_snapshots",
    )
    def leadhouse_dbt_snapshots(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        """SCD2 history of stage, scores, tier and temperature per lead."""
        invocation = dbt.cli(build_args(), context=context)
        yield from enrich(invocation.stream(), manifest()["nodes"], lambda: _compiled(invocation))

    return [leadhouse_dbt_snapshots]

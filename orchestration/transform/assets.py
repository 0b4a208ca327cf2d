"""dagster-dbt assets for the whole dbt project, one ``dbt build`` per layer boundary (three
invocations a full run, each one Dagster step):

- ``leadhouse_dbt_staging``: seeds and staging models with their tests;
- ``leadhouse_dbt``: intermediate models and marts with their tests;
- ``leadhouse_dbt_snapshots``: the snapshots and the marts built from them (stage
  transitions); nightly, and after every full run.

The staging quality checks (great-expectations, ``orchestration/quality``) are Dagster asset
checks on the staging assets: with staging in its own invocation they run after staging is
built and BEFORE the intermediate layer is built, so a blocking one stops everything below.
Inside one ``dbt build`` dbt itself runs a model's tests before its children and skips the
children of a failing test (intermediate -> marts).
"""

import json
import os
from collections.abc import Iterator
from functools import cache
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets

from orchestration.project import leadhouse_project
from orchestration.transform.dbt_args import SNAPSHOTS_SELECT, TEST_SCOPE_ENV, build_args
from orchestration.transform.translator import LeadhouseTranslator
from orchestration.transform.warehouse_metadata import compiled_tests, enrich

#: dbt selector of the first layer: seeds (configuration) and staging models
STAGING_SELECT = "resource_type:seed path:dbt_project/models/staging"
#: names of the dbt assets' ops that take a DbtBuildConfig (``leadhouse run --full-refresh``)
BUILD_OPS = ("leadhouse_dbt_staging", "leadhouse_dbt", "leadhouse_dbt_snapshots")


class DbtBuildConfig(dg.Config):
    """Run configuration of the dbt assets (the launchpad shows it)."""

    full_refresh: bool = False
    as_of: str | None = None  # ISO timestamp: a point-in-time replay into schema replay_<date>
    # "newest_load" (the hourly job): the dbt tests of the big incremental tables read the rows
    # of their newest load only; "full": whole tables (macros/test_scope.sql)
    test_scope: str = "full"
    # with as_of: score as of that instant in the production schemas (cross-engine tests)
    replay_in_place: bool = False


def _dbt_vars(config: DbtBuildConfig) -> dict[str, object]:
    if not config.as_of:
        return {}
    return {"as_of": config.as_of} | ({"replay_in_place": True} if config.replay_in_place else {})


@cache
def manifest() -> dict:
    """The manifest prepared at build time (``make prepare``)."""
    return json.loads(leadhouse_project().manifest_path.read_text())


def set_dbt_test_scope(scope: str) -> None:
    """``LEADHOUSE_DBT_TEST_SCOPE=scope`` for the dbt commands this process starts next
    (dagster-dbt hands them this process's environment). An environment variable, not a dbt
    var: a changed var makes dbt re-parse the whole project. Every dbt op sets its own."""
    os.environ.update({TEST_SCOPE_ENV: scope})


def _compiled(invocation: DbtCliInvocation) -> dict[str, str]:
    try:
        return compiled_tests(invocation.get_artifact("run_results.json"))
    except (OSError, ValueError):
        return {}


def _build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
) -> Iterator[Any]:
    """``dbt build`` of the asset's selection, its events enriched with row counts and the
    failing rows of tests. No fetch_column_metadata()/fetch_row_counts(): they open warehouse
    connections while dbt holds DuckDB's single writer lock; row counts and failing rows are
    added once dbt exits."""
    args = build_args(full_refresh=config.full_refresh, dbt_vars=_dbt_vars(config))
    set_dbt_test_scope(config.test_scope)
    invocation = dbt.cli(args, context=context)
    yield from enrich(invocation.stream(), manifest()["nodes"], lambda: _compiled(invocation))


def has_snapshots() -> bool:
    return any(node["resource_type"] == "snapshot" for node in manifest()["nodes"].values())


@dbt_assets(
    manifest=leadhouse_project().manifest_path,
    project=leadhouse_project(),
    dagster_dbt_translator=LeadhouseTranslator(),
    select=STAGING_SELECT,
    name="leadhouse_dbt_staging",
)
def leadhouse_dbt_staging_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
) -> Iterator[Any]:
    """Seeds and staging models with their dbt tests (as asset checks)."""
    yield from _build(context, dbt, config)


@dbt_assets(
    manifest=leadhouse_project().manifest_path,
    project=leadhouse_project(),
    dagster_dbt_translator=LeadhouseTranslator(),
    exclude=f"{STAGING_SELECT} {SNAPSHOTS_SELECT}",
    name="leadhouse_dbt",
)
def leadhouse_dbt_assets(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
) -> Iterator[Any]:
    """Intermediate models and marts with their dbt tests (as asset checks)."""
    yield from _build(context, dbt, config)


def snapshot_assets() -> list:
    """The snapshots' assets, or none when the project has no snapshot."""
    if not has_snapshots():
        return []

    @dbt_assets(
        manifest=leadhouse_project().manifest_path,
        project=leadhouse_project(),
        dagster_dbt_translator=LeadhouseTranslator(),
        select=SNAPSHOTS_SELECT,
        name="leadhouse_dbt_snapshots",
    )
    def leadhouse_dbt_snapshots(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
    ) -> Iterator[Any]:
        """SCD2 history of stage, scores, tier and temperature per lead, and the marts built
        from it (stage transitions)."""
        yield from _build(context, dbt, config)

    return [leadhouse_dbt_snapshots]

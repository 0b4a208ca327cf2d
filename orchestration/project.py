"""The one ``DbtProject`` of Leadhouse and the dbt resource that runs it, built on first use.

The manifest is prepared at build time (``make prepare`` → ``python -m
orchestration.transform.prepare``), never parsed on a code-location load; only
``dagster dev`` re-parses, so edits show up in the UI.

Nothing here touches ``os.environ``: every dbt Dagster starts runs through ``leadhouse-dbt``
(``orchestration/transform/dbt_with_parent.py``), which gives that one process the settings of
``orchestration/config.py`` (warehouse, target, threads, memory, ``LEADHOUSE_PG_*``).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from dagster._utils import run_with_concurrent_update_guard
from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev

from orchestration.config import DBT_PROFILES_DIR, DBT_PROJECT_DIR

#: the console script that starts dbt for Dagster (pyproject.toml, ``[project.scripts]``)
DBT_EXECUTABLE = Path(sys.executable).with_name("leadhouse-dbt")


def prepare(project: DbtProject) -> None:
    """``dbt parse`` into the project's target folder, through ``leadhouse-dbt`` (dagster-dbt's
    own preparer runs the ``dbt`` found on PATH, which need not be this environment's)."""
    run_with_concurrent_update_guard(project.manifest_path, _parse, project=project)


def _parse(project: DbtProject) -> None:
    dbt_resource(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()


@cache
def leadhouse_project() -> DbtProject:
    """The dbt project at the repository root (profiles in ``dbt_project/``); under ``dagster
    dev`` its manifest is parsed again on load."""
    project = DbtProject(
        project_dir=DBT_PROJECT_DIR,
        profiles_dir=DBT_PROFILES_DIR,
        # no target here: dbt takes profiles.yml's, LEADHOUSE_DBT_TARGET else LEADHOUSE_TARGET,
        # when it starts (leadhouse-dbt sets them from config.py), as the warehouse resource is
        # chosen when a step runs; one loaded Definitions serves runs on either engine
        target=None,
        target_path=Path("target"),
    )
    if using_dagster_dev():
        prepare(project)
    return project


def dbt_resource(project: DbtProject | None = None) -> DbtCliResource:
    """The Dagster dbt resource. dbt runs through a wrapper that dies with its parent: a killed
    run leaves no orphaned dbt holding DuckDB's writer lock."""
    project = project or leadhouse_project()
    return DbtCliResource(
        project_dir=project, target=project.target, dbt_executable=str(DBT_EXECUTABLE)
    )

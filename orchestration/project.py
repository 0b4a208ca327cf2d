"""The one ``DbtProject`` of Leadhouse.

The manifest is prepared at build time (``make prepare`` → ``python -m
orchestration.transform.prepare``), never parsed on a code-location load; only
``dagster dev`` re-parses, so edits show up in the UI.
"""

import os
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.config import DBT_PROFILES_DIR, DBT_PROJECT_DIR, settings

# dbt runs as a subprocess that inherits this environment: give it the same warehouse
# and target the Python side uses, even when the user set none of the variables.
for _name, _value in settings().dbt_env().items():
    os.environ.setdefault(_name, _value)
# The dbt graph runs in several Dagster steps (snapshots sit between marts). A test runs in the
# step that builds all its parents, never before ("eager" would test a model not built yet).
os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")
# dagster-dbt looks for `dbt` on PATH: make it the one installed beside this interpreter.
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

leadhouse_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROFILES_DIR,
    target_path="target",
)
leadhouse_project.prepare_if_dev()

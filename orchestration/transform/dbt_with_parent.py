"""``leadhouse-dbt``: dbt that dies with its parent and sees Leadhouse's settings; the
``dbt_executable`` of the Dagster dbt resource (``orchestration/project.py``).

When ``leadhouse run`` (or a Dagster run process) is killed with ``kill -9``, it cannot stop
its dbt child, and an orphaned dbt keeps DuckDB's writer lock until it finishes. This wrapper
asks Linux to send the dbt process SIGKILL when its parent dies (``PR_SET_PDEATHSIG``, kept
across ``exec``), then becomes dbt. Elsewhere it simply runs dbt.

Before it becomes dbt it completes dbt's environment from ``orchestration/config.py`` (what the
user set wins): the warehouse, target, threads and memory the Python side uses, and the
``LEADHOUSE_PG_*`` connection ``dbt_project/profiles.yml`` reads. The dbt graph runs in several
Dagster steps (snapshots sit between marts): a test runs in the step that builds all its parents,
never before (``buildable``; "eager" would test a model not built yet).
"""

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> None:
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl: do not start dbt
            sys.exit(1)
    from orchestration.config import settings
    from orchestration.transform.dbt_runner import dbt_executable

    env = {**settings().dbt_env(), "DBT_INDIRECT_SELECTION": "buildable", **os.environ}
    dbt = dbt_executable()
    os.execve(dbt, [dbt, *sys.argv[1:]], env)


if __name__ == "__main__":
    main()

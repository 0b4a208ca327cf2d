#!/usr/bin/env python3
"""dbt that dies with its parent: the ``dbt_executable`` of the Dagster dbt resource.

When ``leadhouse run`` (or a Dagster run process) is killed with ``kill -9``, it cannot stop
its dbt child, and an orphaned dbt keeps DuckDB's writer lock until it finishes. This wrapper
asks Linux to send the dbt process SIGKILL when its parent dies (``PR_SET_PDEATHSIG``, kept
across ``exec``), then becomes dbt. Elsewhere it simply runs dbt. Standard library only: it
runs under the interpreter found on PATH, before dbt is loaded.
"""

import ctypes
import os
import shutil
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
    dbt = os.environ.get("LEADHOUSE_DBT_EXECUTABLE") or shutil.which("dbt")
    if not dbt:
        sys.exit("dbt not found on PATH")
    os.execv(dbt, [dbt, *sys.argv[1:]])


if __name__ == "__main__":
    main()

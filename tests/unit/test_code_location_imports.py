"""The Dagster code location loads without the heavy libraries it only needs when a step runs
(great-expectations when a check runs, pandas when a sync writes its batch, pyspark on the
Spark target): the daemon and the UI reload the code location often, and great-expectations
alone costs seconds of CPU."""

from __future__ import annotations

import json
import subprocess
import sys

from orchestration.config import REPO_ROOT

LAZY = ("great_expectations", "pyspark", "pandas")


def test_loading_definitions_imports_no_heavy_library() -> None:
    probe = (
        "import json, sys; import orchestration.definitions as d; "
        f"print(json.dumps([m for m in {list(LAZY)!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []

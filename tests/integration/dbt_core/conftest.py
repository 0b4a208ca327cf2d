"""Fixtures of the dbt warehouse-core tests: a raw layer in a temporary DuckDB file and a dbt runner.

Every dbt command writes its target/ and logs/ under the test's tmp dir and uses the warehouse
file given in LEADHOUSE_WAREHOUSE, never the default one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.ingest import ingest_all
from orchestration.ingestion.warehouse import ensure_schema
from orchestration.sample_data.engine import generate
from orchestration.transform.dbt_runner import DbtResult, run_dbt

REPO = Path(__file__).resolve().parents[3]
RAW_FIXTURE = Path(__file__).with_name("raw_fixture.sql")

#: the core models and everything upstream of them (sources, seeds); tests whose parents are all
#: selected (cautious), so other areas' tests on dim_leads do not run here
CORE_SELECTION = [
    "--select",
    "+path:dbt_project/models/marts/core",
    "--indirect-selection",
    "cautious",
]


@dataclass
class DbtCore:
    """Runs dbt against one warehouse file with private target and log folders."""

    warehouse: Path
    workdir: Path

    def run(self, *args: str, check: bool = True) -> DbtResult:
        result = run_dbt(
            list(args),
            self.workdir,
            self.warehouse,
            env={"LEADHOUSE_DBT_THREADS": "1"},
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}")
        return result

    def build(self, *extra: str) -> DbtResult:
        return self.run("build", *CORE_SELECTION, *extra)

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()

    def scalar(self, sql: str):
        return self.query(sql)[0][0]


def ingested_sample(root: Path, scale: str = "tiny", seed: int = 42) -> tuple[Path, Path]:
    """Generate ``scale``/``seed`` into ``root/landing`` and ingest it into ``root/wh.duckdb``."""
    landing, warehouse = root / "landing", root / "wh.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADHOUSE_LANDING", str(landing))
        mp.setenv("LEADHOUSE_WAREHOUSE", str(warehouse))
        mp.setenv("LEADHOUSE_OUTPUT", str(root / "output"))
        generate(scale, seed, landing)
        ingest_all(landing_dir=landing, warehouse_path=warehouse)
    return landing, warehouse


def load_raw_fixture(warehouse: Path) -> None:
    """Create the raw schema of docs/data-contracts.md §2 with the hand-made payloads; the
    typed columns staging reads are extracted from them by the ingestion's own adapters
    (``ensure_schema`` adds them and reprocesses the payloads)."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("set TimeZone = 'UTC'")
        con.execute(RAW_FIXTURE.read_text())
        ensure_schema(con)


@pytest.fixture(scope="module")
def fixture_warehouse(tmp_path_factory) -> DbtCore:
    """The raw fixture built once through every core model (dbt build, tests and unit tests)."""
    workdir = tmp_path_factory.mktemp("dbt_core_fixture")
    core = DbtCore(workdir / "wh.duckdb", workdir)
    load_raw_fixture(core.warehouse)
    core.build()
    return core

"""A tiny sample generated, ingested and built through every dbt model (analytics included) in a
temporary warehouse, shared by the report and BI tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.ingestion.ingest import ingest_all
from orchestration.sample_data.engine import generate
from tests.integration.dbt_core.conftest import DbtCore


@dataclass
class Built:
    core: DbtCore
    root: Path
    output: Path


@pytest.fixture(scope="package")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("report_tiny")
    # named like the default warehouse: the semantic manifest `make prepare` wrote names the
    # DuckDB catalog after the file (leadhouse), and `mf query` uses it
    landing, warehouse, output = root / "landing", root / "leadhouse.duckdb", root / "output"
    generate("tiny", 42, landing)
    ingest_all(landing_dir=landing, warehouse_path=warehouse)
    core = DbtCore(warehouse, root)
    core.run("build", "--exclude-resource-type", "unit_test")
    return Built(core, root, output)

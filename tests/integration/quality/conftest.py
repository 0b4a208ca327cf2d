"""Fixtures of the quality tests: scratch warehouses (tmp_path) and isolated settings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from warehouse_factory import build_warehouse

from orchestration.quality.thresholds import load_thresholds


@pytest.fixture(scope="session")
def thresholds():
    return load_thresholds()


@pytest.fixture(scope="session")
def clean_warehouse(tmp_path_factory) -> Path:
    """One clean contract-shaped warehouse shared by read-only tests."""
    return build_warehouse(tmp_path_factory.mktemp("wh") / "clean.duckdb")


@pytest.fixture
def isolated_env(tmp_path, monkeypatch):
    """Point settings() at tmp_path; returns a function that builds a warehouse there."""
    out = tmp_path / "output"
    monkeypatch.setenv("LEADHOUSE_OUTPUT", str(out))
    monkeypatch.setenv("LEADHOUSE_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))

    def make(corruption: str | None = None) -> Path:
        path = tmp_path / "warehouse.duckdb"
        path.unlink(missing_ok=True)
        monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(path))
        return build_warehouse(path, corruption)

    make.output_dir = out
    return make

"""Fixtures of the ingestion integration tests: a tmp landing copy and a tmp warehouse."""

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "formats" / "landing"


@pytest.fixture
def lh_env(tmp_path, monkeypatch):
    """Point every Leadhouse setting at tmp_path; the landing folder holds the format fixtures."""
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES, landing)
    monkeypatch.setenv("LEADHOUSE_LANDING", str(landing))
    monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(tmp_path / "wh" / "leadhouse.duckdb"))
    monkeypatch.setenv("LEADHOUSE_OUTPUT", str(tmp_path / "out"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("LEADHOUSE_SETTLE_SECONDS", "0")  # fixture files are complete
    (tmp_path / "dagster_home").mkdir()
    return {"landing": landing, "warehouse": tmp_path / "wh" / "leadhouse.duckdb"}

"""A throw-away PostgreSQL server (tests/integration/dbt_core's fixture) and the ``tiny``
landing data, for running Leadhouse's Python steps on both engines."""

from __future__ import annotations

import pytest

from orchestration.cli import main
from tests.integration.dbt_core.test_dbt_postgres import postgres  # noqa: F401 - the fixture


@pytest.fixture(scope="module")
def tiny_landing(tmp_path_factory):
    landing = tmp_path_factory.mktemp("engines") / "landing"
    args = ["generate", "--scale", "tiny", "--seed", "1", "--end-date", "2026-10-31"]
    assert main([*args, "--out", str(landing)]) == 0
    return landing


@pytest.fixture
def on_postgres(monkeypatch, postgres):  # noqa: F811 - the imported fixture
    """LEADHOUSE_TARGET=postgres against the throw-away server."""
    monkeypatch.setenv("LEADHOUSE_TARGET", "postgres")
    monkeypatch.setenv("LEADHOUSE_PG_PORT", str(postgres))
    monkeypatch.setenv("LEADHOUSE_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("LEADHOUSE_PG_USER", "postgres")
    monkeypatch.setenv("LEADHOUSE_PG_DATABASE", "leadhouse")
    return postgres

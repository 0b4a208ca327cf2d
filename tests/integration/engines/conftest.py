"""Fixtures of the engine tests: a throw-away PostgreSQL server (tests/integration/dbt_core's
fixture), the ``tiny`` landing data for running Leadhouse's Python steps on both engines, and
``tiny`` generated and ingested once into DuckDB with the whole dbt project built on it once (the
reference every other engine's marts are compared with).

Every build of a mart comparison scores at the same instant (var ``as_of`` with
``replay_in_place``: the production schemas, scored as of that timestamp), so decay and "as of"
columns agree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from orchestration.cli import main
from tests.integration.dbt_core.conftest import DbtCore, ingested_sample
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


@dataclass
class EngineBuild:
    """A dbt build of tiny: where its files are, the vars it ran with, how long it took."""

    core: DbtCore
    vars: str
    seconds: float


def build_vars(as_of: str) -> str:
    return "{as_of: '" + as_of + "', replay_in_place: true}"


@pytest.fixture(scope="session")
def tiny_duckdb(tmp_path_factory) -> EngineBuild:
    """tiny generated (seed 42), ingested into a DuckDB file, and `dbt build` of every node."""
    root = tmp_path_factory.mktemp("engines_tiny")
    landing, warehouse = ingested_sample(root)
    as_of = datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    core = DbtCore(warehouse, root)
    started = time.monotonic()
    core.run("build", "--vars", build_vars(as_of))
    return EngineBuild(core, build_vars(as_of), time.monotonic() - started)

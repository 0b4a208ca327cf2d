"""The raw-layer quality checks (great-expectations through the warehouse resource's
SQLAlchemy URL) and the run summary on PostgreSQL give what they give on DuckDB, for the
same ``tiny`` landing data.

The staging and marts checks need dbt's models on PostgreSQL (h-sqlengines' part of issue 13):
they are not run here."""

from __future__ import annotations

import re

import pytest

from orchestration.ingestion.ingest import ingest_all
from orchestration.quality.runner import run_check
from orchestration.quality.suites import all_checks
from orchestration.quality.thresholds import load_thresholds
from orchestration.resources import warehouse
from orchestration.summary import warehouse_summary

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture(scope="module")
def both(tiny_landing, postgres, tmp_path_factory):
    """``tiny`` ingested into a DuckDB file and into the PostgreSQL server."""
    duck = tmp_path_factory.mktemp("checks") / "wh.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LEADHOUSE_TARGET", "duckdb")
        duck_batch = next(iter(ingest_all(landing_dir=tiny_landing, warehouse_path=duck).values()))
        mp.setenv("LEADHOUSE_TARGET", "postgres")
        mp.setenv("LEADHOUSE_PG_PORT", str(postgres))
        mp.setenv("LEADHOUSE_PG_DATABASE", "leadhouse")
        pg_batch = next(iter(ingest_all(landing_dir=tiny_landing).values()))
    return duck, duck_batch.batch_id, pg_batch.batch_id


def _raw_specs() -> list:
    specs = all_checks(load_thresholds(), previous_stats=lambda: {})
    return [s for s in specs if s.layer == "raw"]


def _outcome(spec, path, batch_id):
    outcome = run_check(spec, path, batch_ids=[batch_id] if spec.run_scoped else None)
    failures = sorted((f["batch"], f["expectation"], f["message"]) for f in outcome.failures)
    return outcome.passed, failures, outcome.observed


def test_raw_checks_agree(monkeypatch, both, on_postgres):
    duck, duck_batch, pg_batch = both
    specs = _raw_specs()
    assert len(specs) >= 15  # four checks on most of the five sources
    for spec in specs:
        monkeypatch.setenv("LEADHOUSE_TARGET", "postgres")
        pg = _outcome(spec, duck, pg_batch)  # the path is ignored on PostgreSQL
        monkeypatch.setenv("LEADHOUSE_TARGET", "duckdb")
        dk = _outcome(spec, duck, duck_batch)
        assert pg[:2] == dk[:2], (spec.name, spec.asset_key, pg[:2], dk[:2])
        assert pg[2] == dk[2], (spec.name, spec.asset_key)
        # not vacuous: no relation was missing and every expectation got rows or a value
        assert not any("relation(s) not found" in m for _, _, m in pg[1])
        assert pg[2], (spec.name, spec.asset_key)


def test_summary_agrees(monkeypatch, both, on_postgres):
    duck, _, _ = both
    monkeypatch.setenv("LEADHOUSE_TARGET", "duckdb")
    monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(duck))
    dk = warehouse_summary()
    monkeypatch.setenv("LEADHOUSE_TARGET", "postgres")
    pg = warehouse_summary()
    assert pg.startswith(f"Warehouse: postgresql://postgres@127.0.0.1:{on_postgres}/leadhouse")

    # rows per layer, quarantine by reason, real inputs: the same text after the first line
    def part(text: str, title: str) -> str:
        return text.split(title, 1)[1].split("\n\n", 1)[0]

    for title in ("Rows per layer:", "Quarantined rows by reason:", "Real inputs:"):
        assert part(pg, title) == part(dk, title), title
    # and they say something: every raw table with its DuckDB row count
    with warehouse("duckdb", path=duck).connect(read_only=True) as con:
        quarantined = con.execute("select count(*) from raw.quarantine").fetchone()[0]
    assert quarantined > 0
    assert re.search(rf"raw\s+quarantine\s+table\s+{quarantined:,}\s", part(pg, "Rows per layer:"))

"""The CRM file sync on PostgreSQL: the same mart in a DuckDB file and in PostgreSQL gives the
same file, the same state (fingerprints) and the same audit, run after run (diff-based)."""

from __future__ import annotations

import csv
from collections import Counter

import duckdb
import pytest

from orchestration.activation.resources import HubSpotResource, SalesforceResource, make_destination
from orchestration.activation.runner import run_sync
from orchestration.resources import bulk_load, pg_type, warehouse
from tests.integration.activation.conftest import spec_from
from tests.integration.activation.mart import build_mart

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MART = "marts.mart_lead_activation"
STATE = (
    "select sync_id, primary_key, fingerprint, dest_record_id, last_status "
    "from retl.sync_state order by primary_key"
)
LOG = (
    "select primary_key, operation, fingerprint, status, error_code from retl.sync_record_log "
    "order by primary_key, operation, status"
)


def _to_postgres(duck_path) -> None:
    """Copy the DuckDB mart into PostgreSQL (as dbt would have built it there)."""
    with duckdb.connect(str(duck_path), read_only=True) as src:
        rel = src.table(MART)
        cols = ", ".join(f"{c} {pg_type(t)}" for c, t in zip(rel.columns, rel.types, strict=True))
        with warehouse("postgres").connect() as pg:
            pg.execute("create schema if not exists marts")
            pg.execute(f"drop table if exists {MART}")
            pg.execute(f"create table {MART} ({cols})")
            assert bulk_load(pg, rel, MART) == 250


def _sync(target, monkeypatch, duck_path, out):
    monkeypatch.setenv("LEADHOUSE_TARGET", target)
    spec = spec_from("file_leads", file={"format": "csv"}, batch_size=100)
    report = run_sync(
        spec,
        warehouse=duck_path,
        destination_factory=lambda run_id: make_destination(
            spec,
            run_id,
            output_dir=out,
            hubspot=HubSpotResource(),
            salesforce=SalesforceResource(),
        ),
    )
    with (out / "syncs" / "file_leads" / f"{report.sync_run_id}.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    with warehouse(target, path=duck_path).connect(read_only=True) as con:
        state, log = con.execute(STATE).fetchall(), con.execute(LOG).fetchall()
    return report.counts, rows, state, log


def _both(monkeypatch, duck, tmp_path, n):
    dk = _sync("duckdb", monkeypatch, duck, tmp_path / f"out_duckdb_{n}")
    pg = _sync("postgres", monkeypatch, duck, tmp_path / f"out_postgres_{n}")
    return dk, pg


def test_file_sync_on_postgres_equals_duckdb(monkeypatch, on_postgres, tmp_path):
    duck = build_mart(tmp_path / "wh.duckdb", 250)
    with duckdb.connect(str(duck)) as con:  # one lead without consent: skipped, audited
        con.execute(f"update {MART} set consent_to_process = false where email like 'lead0004@%'")
    _to_postgres(duck)

    dk, pg = _both(monkeypatch, duck, tmp_path, 1)
    assert pg == dk
    counts, rows, state, log = pg
    assert counts["succeeded_rows"] == 249 and counts["invalid_rows"] == 1
    assert len(rows) == 1 + 249  # the header and every consenting lead
    assert Counter(r[4] for r in state) == {"success": 249, "suppressed": 1}
    assert Counter(r[3] for r in log) == {"success": 249, "invalid": 1}

    # the next run sends only what changed, on both engines
    for target in ("duckdb", "postgres"):
        with warehouse(target, path=duck).connect() as con:
            con.execute(f"update {MART} set lifecycle_stage = 'sql' where email like 'lead0001@%'")
    dk, pg = _both(monkeypatch, duck, tmp_path, 2)
    assert pg == dk
    counts, rows, state, _ = pg
    assert (
        counts["planned_updates"] == 1 and counts["unchanged_rows"] == 249
    )  # the suppressed lead too
    changed = [r for r in rows[1:]]
    assert len(changed) == 1 and changed[0][0] == "upsert"

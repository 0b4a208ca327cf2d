"""Ingestion of ``tiny`` into PostgreSQL (COPY) and into DuckDB: the same raw rows, manifest
and quarantine, file by file; the generator's truth holds on PostgreSQL; re-running loads
nothing; a file changed after load reloads the same way on both engines."""

from __future__ import annotations

import json
import shutil

import pytest

from orchestration.config import SOURCES
from orchestration.ingestion.ingest import ingest_all
from orchestration.ingestion.reconcile import reconcile
from orchestration.resources import warehouse

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MANIFEST = (
    "select path, source, size_bytes, checksum, rows_in, rows_loaded, rows_duplicate, "
    "rows_quarantined, status, records_in_file, records_read, versions "
    "from raw.load_manifest order by path"
)
QUARANTINE = (
    "select source, _file, _line, reason, payload from raw.quarantine "
    "order by source, _file, _line, reason, payload"
)
CHANGES = (
    "select path, source, old_checksum, new_checksum, rows_in, rows_loaded, rows_duplicate, "
    "rows_quarantined from raw.file_changes order by path"
)


def _state(target: str, path: object = None) -> dict[str, list[tuple]]:
    """Everything ingestion wrote, in a comparable form (ids, counts, hashes, payload text)."""
    with warehouse(target, path=path).connect(read_only=True) as con:
        # sorted here, not by the engines (their collations may differ)
        state = {
            q: sorted(con.execute(q).fetchall(), key=repr) for q in (MANIFEST, QUARANTINE, CHANGES)
        }
        for source in SOURCES:
            # the payload as a value: PostgreSQL stores jsonb (keys re-ordered, spaces dropped);
            # _row_hash is the sha256 of the original text on both engines
            state[source] = sorted(
                (
                    (*r[:3], json.loads(r[3]))
                    for r in con.execute(
                        f"select _file, _line, _row_hash, payload::text from raw.{source}"
                    ).fetchall()
                ),
                # _row_hash is null where the key dedupes alone: members of one batch
                # envelope share (_file, _line), so the payload orders them
                key=lambda r: (r[0], r[1], json.dumps(r[3], sort_keys=True)),
            )
            result = reconcile(con, source)
            assert result.problems == [], (target, source)
        return state


def _ingest_both(monkeypatch, landing, duck):
    monkeypatch.setenv("LEADHOUSE_TARGET", "duckdb")
    duck_reports = ingest_all(landing_dir=landing, warehouse_path=duck)
    monkeypatch.setenv("LEADHOUSE_TARGET", "postgres")
    pg_reports = ingest_all(landing_dir=landing)
    return {s: r.summary() for s, r in duck_reports.items()}, {
        s: r.summary() for s, r in pg_reports.items()
    }


def _without_batch(summary: dict) -> dict:
    return {s: {k: v for k, v in r.items() if k != "batch_id"} for s, r in summary.items()}


def test_postgres_ingestion_equals_duckdb(monkeypatch, on_postgres, tiny_landing, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(tiny_landing, landing)
    duck = tmp_path / "wh.duckdb"

    duck_summary, pg_summary = _ingest_both(monkeypatch, landing, duck)
    assert _without_batch(pg_summary) == _without_batch(duck_summary)
    pg, dk = _state("postgres"), _state("duckdb", duck)
    for part in dk:
        assert pg[part] == dk[part], part
    # and both are right: every file and record of the generator's truth is accounted for
    truth = json.loads((landing / "_truth" / "dirty_manifest.json").read_text())
    assert {r[0] for r in pg[MANIFEST]} == set(truth["files"])
    for source, summary in pg_summary.items():
        assert summary["rows_in"] == truth["totals"][source]["rows"]
        if source != "lead_lists":  # keyed on (_file, _line): list repeats load (staging dedupes)
            assert summary["rows_duplicate"] == truth["totals"][source].get("duplicate", 0)
        assert len(pg[source]) == summary["rows_loaded"] > 0
    assert len(pg[QUARANTINE]) == sum(s["rows_quarantined"] for s in pg_summary.values()) > 0

    # re-running loads nothing on either engine
    duck_again, pg_again = _ingest_both(monkeypatch, landing, duck)
    assert all(s["files_loaded"] == 0 and s["rows_in"] == 0 for s in pg_again.values())
    assert _without_batch(pg_again) == _without_batch(duck_again)
    assert _state("postgres") == pg

    # a file changed after load: its new record loads, the others are duplicates, both engines
    path = sorted((landing / "web_events").rglob("*.jsonl"))[0]
    first = json.loads(path.read_text().splitlines()[0])
    first["messageId"] = "changed-after-load-1"
    with path.open("a") as f:
        f.write(json.dumps(first) + "\n")
    duck_changed, pg_changed = _ingest_both(monkeypatch, landing, duck)
    assert pg_changed["web_events"]["files_changed_after_load"] == 1
    assert pg_changed["web_events"]["rows_loaded"] == 1
    assert _without_batch(pg_changed) == _without_batch(duck_changed)
    pg, dk = _state("postgres"), _state("duckdb", duck)
    for part in dk:
        assert pg[part] == dk[part], part
    assert len(pg[CHANGES]) == 1

"""10^5 records with one id, and a 5 MB record, through the real ingestion: every record is
accounted for (rows in = loaded + duplicate + quarantined) and the tables hold exactly the
expected rows."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.ingest import ingest_source
from orchestration.ingestion.reconcile import reconcile

pytestmark = pytest.mark.faults
N = 100_000


def event(message_id: str, **extra) -> dict:
    return {
        "type": "track",
        "event": "Demo Requested",
        "messageId": message_id,
        "anonymousId": "anon-fault-1",
        "timestamp": "2026-01-01T10:00:00.000Z",
        "receivedAt": "2026-01-01T10:00:00.100Z",
        "properties": extra,
    }


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def manifest(wh: Path) -> dict[str, tuple]:
    with duckdb.connect(str(wh), read_only=True) as con:
        return {
            r[0]: r[1:]
            for r in con.execute(
                "select path, rows_in, rows_loaded, rows_duplicate, rows_quarantined, status "
                "from raw.load_manifest"
            ).fetchall()
        }


def test_hundred_thousand_duplicate_ids(tmp_path):
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    same = event("ajs-dup-0001")
    write_jsonl(
        landing / "web_events" / "dt=2026-01-01" / "segment-dups.jsonl",
        [same] * N + [event("ajs-unique-0002")],
    )
    first = ingest_source("web_events", landing_dir=landing, warehouse_path=wh)
    assert (first.rows_in, first.rows_loaded, first.rows_duplicate) == (N + 1, 2, N - 1)
    # the same 10^5 again in another file: every one a duplicate of what is loaded
    write_jsonl(landing / "web_events" / "dt=2026-01-02" / "segment-dups.jsonl", [same] * N)
    second = ingest_source("web_events", landing_dir=landing, warehouse_path=wh)
    assert (second.rows_in, second.rows_loaded, second.rows_duplicate) == (N, 0, N)
    assert manifest(wh) == {
        "web_events/dt=2026-01-01/segment-dups.jsonl": (N + 1, 2, N - 1, 0, "loaded"),
        "web_events/dt=2026-01-02/segment-dups.jsonl": (N, 0, N, 0, "loaded"),
    }
    with duckdb.connect(str(wh), read_only=True) as con:
        rows = con.execute(
            "select message_id, _file, _line from raw.web_events order by 1"
        ).fetchall()
        assert reconcile(con, "web_events").passed
    assert rows == [
        ("ajs-dup-0001", "web_events/dt=2026-01-01/segment-dups.jsonl", 1),
        ("ajs-unique-0002", "web_events/dt=2026-01-01/segment-dups.jsonl", N + 1),
    ]
    assert first.rows_in + second.rows_in == 2 * N + 1


def test_five_megabyte_record(tmp_path):
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    huge = event("ajs-huge-0001", blob="x" * (5 * 1024 * 1024))
    path = write_jsonl(
        landing / "web_events" / "dt=2026-01-01" / "segment-huge.jsonl",
        [event("ajs-small-0001"), huge, event("ajs-small-0002")],
    )
    assert path.stat().st_size > 5 * 1024 * 1024
    report = ingest_source("web_events", landing_dir=landing, warehouse_path=wh)
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (3, 2, 1)
    assert report.quarantine_by_reason == {"oversized_payload": 1}
    with duckdb.connect(str(wh), read_only=True) as con:
        loaded = con.execute("select message_id from raw.web_events order by 1").fetchall()
        quarantined = con.execute(
            "select _line, reason, strlen(payload), json_extract_string(payload, '$.messageId') "
            "from raw.quarantine"
        ).fetchall()
        assert reconcile(con, "web_events").passed
    assert loaded == [("ajs-small-0001",), ("ajs-small-0002",)]
    # the original record is kept whole for audit, not truncated
    assert quarantined == [(2, "oversized_payload", len(json.dumps(huge)), "ajs-huge-0001")]
    # a re-run loads nothing twice
    again = ingest_source("web_events", landing_dir=landing, warehouse_path=wh)
    assert again.rows_in == 0 and [f.status for f in again.files] == ["skipped"]

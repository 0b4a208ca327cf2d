"""Re-runs, new days, modified files and crashes keep every record accounted for."""

from datetime import UTC, datetime

import pytest

from orchestration.config import SOURCES
from orchestration.ingestion import loader
from orchestration.ingestion.file_scan import scan_file
from orchestration.ingestion.ingest import ingest_all, ingest_source
from orchestration.ingestion.landing import discover
from orchestration.ingestion.reconcile import reconcile
from orchestration.ingestion.sources import SOURCES as SPECS
from orchestration.ingestion.warehouse import connect, ensure_schema

FIXTURE_ROWS = {
    "web_events": 7,
    "email_events": 8,
    "form_submissions": 3,
    "lead_lists": 2,
    "crm_deals": 4,
}


def counts(warehouse):
    with connect(warehouse, read_only=True) as con:
        return {s: con.execute(f"select count(*) from raw.{s}").fetchone()[0] for s in SOURCES}


def test_rerun_adds_nothing(lh_env):
    first = ingest_all()
    assert {s: r.rows_loaded for s, r in first.items()} == FIXTURE_ROWS
    second = ingest_all()
    assert all(r.rows_in == 0 and not r.loaded for r in second.values())
    assert sum(len(r.files) for r in second.values()) == 10
    assert all(f.status == "skipped" for r in second.values() for f in r.files)
    assert counts(lh_env["warehouse"]) == FIXTURE_ROWS


def test_new_day_adds_exactly_its_rows(lh_env):
    ingest_all()
    day2 = lh_env["landing"] / "web_events" / "dt=2024-05-02"
    day2.mkdir()
    ts = '"timestamp":"2024-05-02T08:00:00Z","receivedAt":"2024-05-02T08:00:01Z"'
    (day2 / "segment-001.jsonl").write_text(
        "\n".join(
            [
                '{"type":"page","messageId":"d2-1","anonymousId":"a",' + ts + "}",
                '{"type":"page","messageId":"d2-2","anonymousId":"a",' + ts + "}",
                '{"type":"track","event":"x","messageId":"d2-3","userId":"u",' + ts + "}",
                # already loaded on day 1: a duplicate, not a new row
                '{"type":"page","messageId":"ajs-022bb90c-bbac","anonymousId":"a",' + ts + "}",
            ]
        )
    )
    report = ingest_source("web_events")
    assert (report.rows_in, report.rows_loaded, report.rows_duplicate, report.rows_quarantined) == (
        4,
        3,
        1,
        0,
    )
    assert report.summary()["files_skipped"] == 1
    assert counts(lh_env["warehouse"])["web_events"] == 10
    with connect(lh_env["warehouse"], read_only=True) as con:
        # the first arrival (day 1) is the row kept
        assert con.execute(
            "select _file from raw.web_events where message_id = 'ajs-022bb90c-bbac'"
        ).fetchall() == [("web_events/dt=2024-05-01/segment-001.jsonl",)]
        assert reconcile(con, "web_events").passed


def test_modified_file_loads_its_new_records_once(lh_env):
    ingest_all()
    rel = "email_events/dt=2024-05-01/mailgun-001.jsonl"
    path = lh_env["landing"] / rel
    original = path.read_bytes()
    path.write_bytes(
        original + b'{"event-data":{"id":"new","event":"opened","recipient":"n@x.io",'
        b'"timestamp":1714600000}}\n'
    )
    report = ingest_source("email_events")
    assert report.changed_after_load == [rel]
    # the new record loads; the file's other records are duplicates by key
    assert (report.rows_in, report.rows_loaded, report.rows_duplicate) == (3, 1, 2)
    assert counts(lh_env["warehouse"])["email_events"] == 9
    with connect(lh_env["warehouse"], read_only=True) as con:
        manifest = con.execute(
            "select status, versions, rows_in, rows_loaded, rows_duplicate from raw.load_manifest "
            "where path = ?",
            [rel],
        ).fetchone()
        changes = con.execute(
            "select path, rows_loaded, rows_duplicate from raw.file_changes"
        ).fetchall()
        result = reconcile(con, "email_events", batch_id=report.batch_id)
    assert manifest == ("loaded", 2, 5, 3, 2)
    assert changes == [(rel, 1, 2)]
    assert result.passed, result.problems
    assert result.changed == [
        f"{rel}: changed after load; reloaded (1 new, 2 duplicate, 0 quarantined)"
    ]
    # a second run skips it
    assert ingest_source("email_events").changed_after_load == []
    # restoring the original bytes is one more change: nothing new, nothing lost
    path.write_bytes(original)
    again = ingest_source("email_events")
    assert again.changed_after_load == [rel]
    assert (again.rows_loaded, again.rows_duplicate) == (0, 2)
    assert counts(lh_env["warehouse"])["email_events"] == 9
    with connect(lh_env["warehouse"], read_only=True) as con:
        assert reconcile(con, "email_events").passed


def test_crash_mid_file_leaves_nothing_and_the_rerun_loads_it(lh_env, monkeypatch):
    real = loader.FileResult

    def explode(*args, **kwargs):  # raised after the inserts, before the manifest row
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(loader, "FileResult", explode)
    file = discover(lh_env["landing"], "crm_deals")[0]
    with connect(lh_env["warehouse"]) as con, pytest.raises(RuntimeError):
        ensure_schema(con)
        spec = SPECS["crm_deals"]
        loader.load_files(
            con,
            spec,
            spec.adapter_for(file.path),
            [(file, scan_file(file.path, "csv"))],
            batch_id="b",
            loaded_at=datetime.now(UTC),
        )
    with connect(lh_env["warehouse"], read_only=True) as con:
        assert con.execute("select count(*) from raw.crm_deals").fetchone() == (0,)
        assert con.execute("select count(*) from raw.load_manifest").fetchone() == (0,)
    monkeypatch.setattr(loader, "FileResult", real)
    assert ingest_source("crm_deals").rows_loaded == 4


def test_unreadable_file_fails_alone(lh_env):
    bad = lh_env["landing"] / "lead_lists" / "dt=2024-05-01" / "referral__broken.csv"
    bad.write_bytes(b"email\n\xff\xfe@x.io\n")  # invalid UTF-8 is replaced, not fatal
    report = ingest_source("lead_lists")
    assert report.failed == []
    assert report.rows_in == 3


def test_counts_add_up_per_file(lh_env):
    reports = ingest_all()
    for report in reports.values():
        for f in report.loaded:
            assert f.rows_in == f.rows_loaded + f.rows_duplicate + f.rows_quarantined
    with connect(lh_env["warehouse"], read_only=True) as con:
        assert all(reconcile(con, s).passed for s in SOURCES)
    # a row deleted behind the manifest's back is caught
    with connect(lh_env["warehouse"]) as con:
        con.execute("delete from raw.lead_lists where _line = 3")
        result = reconcile(con, "lead_lists")
    assert result.problems == [
        "lead_lists/dt=2024-05-01/tradeshow__saastr_2024.csv: manifest rows_loaded 2, table has 1"
    ]


def test_invalid_utf8_line_is_quarantined_and_the_rest_loads(lh_env):
    day = lh_env["landing"] / "web_events" / "dt=2024-05-02"
    day.mkdir()
    good = (
        b'{"type":"page","messageId":"ok-1","anonymousId":"a1",'
        b'"timestamp":"2024-05-02T10:00:00Z"}\n'
    )
    (day / "segment-001.jsonl").write_bytes(b'{"type":"page","messageId":"x\xff\xfe"}\n' + good)
    report = ingest_source("web_events")
    assert report.failed == []
    assert report.rows_loaded == 8  # 7 of day 1 + the good line of day 2
    assert report.quarantine_by_reason == {"invalid_encoding": 1}
    with connect(lh_env["warehouse"], read_only=True) as con:
        assert con.execute(
            "select _line, reason, payload from raw.quarantine where _file like '%dt=2024-05-02%'"
        ).fetchall() == [(1, "invalid_encoding", '{"type":"page","messageId":"x\\xff\\xfe"}')]
        assert reconcile(con, "web_events").passed
    assert ingest_source("web_events").summary()["files_skipped"] == 2


def test_unchanged_files_are_skipped_unread_by_size_and_mtime(lh_env):
    """A loaded file with the size and mtime its checksum was verified under is not read again
    (an hourly run does not re-hash every landed byte); a new mtime makes it read and checked."""
    import os

    ingest_all()
    rel = "email_events/dt=2024-05-01/mailgun-001.jsonl"
    path = lh_env["landing"] / rel
    with connect(lh_env["warehouse"], read_only=True) as con:
        (stamped,) = con.execute(
            "select modified_ns from raw.load_manifest where path = ?", [rel]
        ).fetchone()
    assert stamped == path.stat().st_mtime_ns
    # same size, other bytes, the old mtime put back: taken for unchanged, so never read
    original, stat = path.read_bytes(), path.stat()
    path.write_bytes(original.replace(b"opened", b"OPENED"))
    assert path.stat().st_size == stat.st_size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    unread = ingest_source("email_events")
    assert (unread.changed_after_load, unread.rows_in) == ([], 0)
    # a new mtime: read, its checksum differs, loaded again as a changed file
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    changed = ingest_source("email_events")
    assert changed.changed_after_load == [rel]
    # same bytes as loaded, only touched: read once, skipped, and the new mtime recorded
    path.write_bytes(original.replace(b"opened", b"OPENED"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
    touched = ingest_source("email_events")
    assert (touched.changed_after_load, touched.rows_in) == ([], 0)
    with connect(lh_env["warehouse"], read_only=True) as con:
        assert con.execute(
            "select modified_ns from raw.load_manifest where path = ?", [rel]
        ).fetchone() == (stat.st_mtime_ns + 2_000_000_000,)
        assert reconcile(con, "email_events").passed

"""Item 5: landing files as they really arrive."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from orchestration.ingestion.ingest import ingest_source
from orchestration.ingestion.reconcile import reconcile
from orchestration.ingestion.settle import split_settled
from orchestration.ingestion.warehouse import connect


def _day(real) -> str:
    return f"dt={real.days['item5'].isoformat()}"


def test_file_names_are_data_not_glob_patterns(real):
    day = _day(real)
    counts = {
        name: real.one(
            "select (m.rows_in, m.rows_loaded, m.records_in_file, "
            "(select count(*) from raw.web_events w where w._file = m.path)) "
            "from raw.load_manifest m where m.path = ?",
            [f"web_events/{day}/{name}"],
        )
        for name in ("segment-[12].jsonl", "segment-1.jsonl", "segment-*.jsonl")
    }
    assert counts == {
        "segment-[12].jsonl": (12, 12, 12, 12),
        "segment-1.jsonl": (3, 3, 3, 3),
        "segment-*.jsonl": (2, 2, 2, 2),
    }
    # each record comes from its own file, none from a neighbour matched by a pattern
    assert real.rows(
        "select _file, min(split_part(message_id, '-', 2)), count(distinct message_id) "
        "from raw.web_events where message_id like 'glob-%' group by 1 order by 1"
    ) == [
        (f"web_events/{day}/segment-*.jsonl", "s", 2),
        (f"web_events/{day}/segment-1.jsonl", "n", 3),
        (f"web_events/{day}/segment-[12].jsonl", "b", 12),
    ]


def test_a_file_still_being_written_under_a_temp_name_is_not_read(real):
    assert real.rows("select path from raw.load_manifest where path like '%.tmp'") == []
    assert real.rows("select message_id from raw.web_events where message_id = 'late-1'") == []


@pytest.fixture
def copy(real, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A copy of the landing folder and warehouse of the real run, to change files in."""
    landing, warehouse = tmp_path / "landing", tmp_path / "wh.duckdb"
    shutil.copytree(real.landing, landing)
    shutil.copy(real.warehouse, warehouse)
    monkeypatch.setenv("LEADHOUSE_LANDING", str(landing))
    monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(warehouse))
    return {"landing": landing, "warehouse": warehouse}


def test_the_renamed_finished_file_then_loads_whole(real, copy):
    folder = copy["landing"] / "web_events" / _day(real)
    temp = folder / "segment-late.jsonl.tmp"
    temp.write_text(
        temp.read_text().rsplit("\n", 1)[0]
        + '\n{"type":"page","messageId":"late-2","anonymousId":"anon-late",'
        '"timestamp":"2026-01-01T10:00:00Z"}\n'
    )
    temp.rename(folder / "segment-late.jsonl")
    report = ingest_source("web_events", quiet_seconds=0)
    assert [(f.path, f.rows_in, f.rows_loaded) for f in report.loaded] == [
        (f"web_events/{_day(real)}/segment-late.jsonl", 2, 2)
    ]


def test_a_file_changing_during_the_quiet_period_waits_for_the_next_run(tmp_path):
    growing, quiet = tmp_path / "segment-001.jsonl", tmp_path / "segment-002.jsonl"
    growing.write_text('{"a":1}\n')
    quiet.write_text('{"b":1}\n')

    def writer_keeps_writing(seconds: float) -> None:  # what happens while we wait
        assert 0 < seconds <= 5
        with growing.open("a") as handle:
            handle.write('{"a":2}\n')

    settled, unsettled = split_settled([growing, quiet], 5, sleep=writer_keeps_writing)
    assert (settled, unsettled) == ([quiet], [growing])
    # unchanged through the quiet period: settled
    settled, unsettled = split_settled([growing, quiet], 5, sleep=lambda s: None)
    assert (settled, unsettled) == ([growing, quiet], [])


def test_a_file_loaded_half_written_then_finished_gets_its_new_records(real, copy):
    folder = copy["landing"] / "web_events" / _day(real)
    lines = [
        f'{{"type":"page","messageId":"grow-{i}","anonymousId":"anon-grow",'
        '"timestamp":"2026-01-01T10:00:00Z"}'
        for i in range(6)
    ]
    path = folder / "segment-grow.jsonl"
    path.write_text("\n".join(lines[:3]) + "\n" + lines[3][:20])  # caught mid-write
    first = ingest_source("web_events", quiet_seconds=0)
    assert (first.rows_loaded, first.quarantine_by_reason) == (3, {"malformed_json": 1})
    path.write_text("\n".join(lines) + "\n")  # the writer finishes
    second = ingest_source("web_events", quiet_seconds=0)
    rel = f"web_events/{_day(real)}/segment-grow.jsonl"
    assert second.changed_after_load == [rel]
    assert (second.rows_in, second.rows_loaded, second.rows_duplicate) == (6, 3, 3)
    with connect(copy["warehouse"], read_only=True) as con:
        result = reconcile(con, "web_events", batch_id=second.batch_id)
        assert con.execute(
            "select count(distinct message_id) from raw.web_events where message_id like 'grow-%'"
        ).fetchone() == (6,)
        assert con.execute(
            "select status, versions from raw.load_manifest where path = ?", [rel]
        ).fetchone() == ("loaded", 2)
    assert result.passed, result.problems  # never a block
    assert result.changed == [
        f"{rel}: changed after load; reloaded (3 new, 3 duplicate, 0 quarantined)"
    ]
    # and the next run has nothing left to do
    assert ingest_source("web_events", quiet_seconds=0).changed_after_load == []


def test_an_invalid_utf8_line_is_quarantined_with_its_bytes(real):
    day = _day(real)
    assert real.rows(
        "select _file, _line, reason, payload like '%Gr\\xfc\\xdfe aus M\\xfcnchen%' "
        "from raw.quarantine where reason = 'invalid_encoding' order by _file"
    ) == [
        (f"email_events/{day}/mailgun-encoding-001.jsonl", 2, "invalid_encoding", True),
        (f"lead_lists/{day}/event__berlin_meetup.csv", 4, "invalid_encoding", False),
    ]
    assert (
        real.one(
            "select payload from raw.quarantine where reason = 'invalid_encoding' "
            "and _file like '%berlin%'"
        )
        == "lena.mueller@beispiel-gmbh.de;Lena;M\\xfcller;Beispiel"
    )
    assert (
        real.one(
            "select count(*) from raw.email_events where _file = ?",
            [f"email_events/{day}/mailgun-encoding-001.jsonl"],
        )
        == 2
    )


def test_csv_delimiter_is_detected_or_quarantined_honestly(real):
    day = _day(real)
    assert real.rows(
        "select email, payload->>'First name' from raw.lead_lists where _file = ? order by _line",
        [f"lead_lists/{day}/event__berlin_meetup.csv"],
    ) == [("anna.schmidt@beispiel-gmbh.de", "Anna"), ("jonas.weber@beispiel-gmbh.de", "Jonas")]
    assert real.rows(
        "select _line, reason from raw.quarantine where _file = ? order by _line",
        [f"lead_lists/{day}/purchased__pipe_export.csv"],
    ) == [(2, "unrecognized_delimiter"), (3, "unrecognized_delimiter")]

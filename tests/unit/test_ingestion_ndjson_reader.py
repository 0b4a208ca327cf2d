"""NDJSON files are read by DuckDB's own reader when the scan vouches for their line numbers
(no blank line, valid UTF-8), and split into lines in SQL otherwise: both ways give the same
raw rows and the same quarantine rows, with the same 1-based line numbers and original text."""

from pathlib import Path

import pytest

from orchestration.ingestion.ingest import ingest_source
from orchestration.ingestion.warehouse import connect

TS = '"timestamp":"2024-05-02T08:00:00Z"'


def page(message_id: str, extra: str = "") -> str:
    return f'{{"type":"page","messageId":"{message_id}","anonymousId":"a",{TS}{extra}}}'


LINES = [
    page("m1"),
    '{"type":"page","messageId":"m2","anon',  # 2 truncated
    page("m3") + '{"x":1}',  # 3 two objects on one line
    page("m4") + " trailing",  # 4 text after the object
    "[1,2]",  # 5 JSON, not an object
    "42",  # 6
    '{"batch":[' + page("m7a") + "," + page("m7b") + "]}",  # 7 one line, two records
    page("m8") + "\r",  # 8 CRLF line ending
    page("m9", ',"name":"Événement ü"'),  # 9 non-ASCII text
    '{"type":"page","messageId":"m10"',  # 10 truncated, last line
]

MALFORMED = {2, 3, 4, 5, 6, 10}


@pytest.fixture(autouse=True)
def _spy_first(reader_calls) -> list[int]:  # noqa: ANN001
    """The reader spy (tests/unit/conftest.py) is set before any other fixture ingests."""
    return reader_calls


def ingest(tmp_path: Path, text: str) -> tuple[list[tuple], list[tuple], tuple]:
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    path = landing / "web_events/dt=2024-05-02/segment-001.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(text.encode("utf-8"))
    report = ingest_source("web_events", landing_dir=landing, warehouse_path=wh, quiet_seconds=0)
    assert not report.failed
    with connect(wh, read_only=True) as con:
        loaded = con.execute(
            "select _line, message_id, payload::varchar from raw.web_events "
            "order by _line, message_id"
        ).fetchall()
        quarantine = con.execute(
            "select _line, reason, payload from raw.quarantine order by _line"
        ).fetchall()
        counts = con.execute(
            "select rows_in, rows_loaded, rows_quarantined, records_in_file, records_read "
            "from raw.load_manifest"
        ).fetchone()
    return loaded, quarantine, counts


@pytest.fixture
def fast(tmp_path):
    return ingest(tmp_path / "fast", "\n".join(LINES) + "\n")


def test_reader_path_numbers_lines_and_keeps_bad_lines_text(fast, reader_calls):
    assert reader_calls == [1]
    loaded, quarantine, counts = fast
    assert [(line, m) for line, m, _ in loaded] == [
        (1, "m1"),
        (7, "m7a"),
        (7, "m7b"),
        (8, "m8"),
        (9, "m9"),
    ]
    assert loaded[3][2] == page("m8")  # the CR is not part of the record
    assert loaded[4][2] == page("m9", ',"name":"Événement ü"')
    assert quarantine == [
        (n, "malformed_json", LINES[n - 1].rstrip("\r")) for n in sorted(MALFORMED)
    ]
    # 11 records (the envelope's two count once as a line for records_in_file/read)
    assert counts == (11, 5, 6, 10, 10)


def test_split_path_gives_the_same_rows(tmp_path, fast, reader_calls):
    """A blank line at the end (line numbers unchanged) sends the file the split way."""
    assert ingest(tmp_path / "slow", "\n".join(LINES) + "\n\n") == fast
    assert reader_calls == [1]  # the fast fixture's file only


def test_invalid_utf8_file_takes_the_split_path_and_quarantines_that_line(
    tmp_path, fast, reader_calls
):
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    path = landing / "web_events/dt=2024-05-02/segment-001.jsonl"
    path.parent.mkdir(parents=True)
    body = "\n".join(LINES).encode("utf-8") + b"\n" + page("m11").encode()[:-1] + b',"n":"\xff"}\n'
    path.write_bytes(body)
    reader_calls.clear()
    ingest_source("web_events", landing_dir=landing, warehouse_path=wh, quiet_seconds=0)
    assert reader_calls == []
    with connect(wh, read_only=True) as con:
        reasons = con.execute("select _line, reason from raw.quarantine order by _line").fetchall()
        loaded = con.execute("select count(*) from raw.web_events").fetchone()[0]
    assert reasons == [(n, "malformed_json") for n in sorted(MALFORMED)] + [
        (11, "invalid_encoding")
    ]
    assert loaded == len(fast[0])


def test_file_the_reader_counts_differently_is_split_instead(tmp_path, fast, reader_calls):
    """A line of a tab only is not blank to the scan (nor to the split) but the reader skips
    it: its row count differs from the scan's, so the file is split in SQL after all."""
    lines = [*LINES[:4], "\t", *LINES[4:]]
    loaded, quarantine, counts = ingest(tmp_path / "tab", "\n".join(lines) + "\n")
    assert reader_calls == [1, 1]  # tried, then the rows came from the split
    shifted = [
        (n + (n > 4), "malformed_json", LINES[n - 1].rstrip("\r")) for n in sorted(MALFORMED)
    ]
    assert quarantine == sorted([*shifted, (5, "malformed_json", "\t")])
    assert [(line, m) for line, m, _ in loaded] == [
        (1, "m1"),
        (8, "m7a"),
        (8, "m7b"),
        (9, "m8"),
        (10, "m9"),
    ]
    assert counts == (12, 5, 7, 11, 11)


def test_malformed_line_over_the_limit_is_oversized_on_both_paths(tmp_path, reader_calls):
    """The reader gives no text for a malformed line; once fetched, a line over 32 KB is
    quarantined as oversized_payload (ranked before malformed_json), as the split path does."""
    huge = '{"type":"page","messageId":"big","properties":{"x":"' + "y" * 40_000  # no end
    lines = [page("m1"), huge, page("m3")]
    fast = ingest(tmp_path / "fast", "\n".join(lines) + "\n")
    assert reader_calls == [1]
    assert [(line, m) for line, m, _ in fast[0]] == [(1, "m1"), (3, "m3")]
    assert fast[1] == [(2, "oversized_payload", huge)]
    assert fast[2] == (3, 2, 1, 3, 3)
    assert ingest(tmp_path / "slow", "\n".join(lines) + "\n\n") == fast
    assert reader_calls == [1]

"""Landing files compressed with gzip (``*.jsonl.gz``, ``*.json.gz``, ``*.csv.gz``, as
Segment's and warehouses' exports write them) load exactly as their plain versions: same raw
rows, same quarantine, same counts; a malformed line inside a .gz is quarantined with its
text, by DuckDB's reader and by the split path alike; a re-run loads nothing new; a .gz that
does not decompress fails alone."""

import gzip
import shutil
from pathlib import Path

from orchestration.ingestion.ingest import ingest_all, ingest_source
from orchestration.ingestion.warehouse import connect

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "formats" / "landing"
SOURCES = ("web_events", "email_events", "form_submissions", "lead_lists", "crm_deals")
TS = '"timestamp":"2024-05-02T08:00:00Z"'


def page(message_id: str, extra: str = "") -> str:
    return f'{{"type":"page","messageId":"{message_id}","anonymousId":"a",{TS}{extra}}}'


def gzip_tree(landing: Path) -> None:
    """Replace every landing file by its gzip-compressed version (``name.gz``)."""
    for path in sorted(p for p in landing.rglob("*") if p.is_file()):
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(path.read_bytes()))
        path.unlink()


def raw_tables(warehouse: Path) -> dict[str, list[tuple]]:
    """Every raw row (file name without ``.gz``; load time and batch left out)."""
    out = {}
    with connect(warehouse, read_only=True) as con:
        for table in (*SOURCES, "quarantine"):
            out[table] = con.execute(
                f"select replace(_file, '.gz', '') as f, * exclude (_file, _loaded_at, _batch_id) "
                f"{', payload::varchar as p' if table != 'quarantine' else ''} "
                f"from raw.{table} order by all"
            ).fetchall()
        out["manifest"] = con.execute(
            "select replace(path, '.gz', ''), source, rows_in, rows_loaded, rows_duplicate, "
            "rows_quarantined, records_in_file, records_read from raw.load_manifest order by 1"
        ).fetchall()
    return out


def test_every_format_gzipped_loads_the_same_rows(tmp_path):
    plain, packed = tmp_path / "plain", tmp_path / "packed"
    shutil.copytree(FIXTURES, plain)
    shutil.copytree(FIXTURES, packed)
    gzip_tree(packed)
    assert sorted(p.name for p in packed.rglob("*.gz")) == sorted(
        p.name + ".gz" for p in plain.rglob("*") if p.is_file()
    )
    reports = {
        name: ingest_all(landing_dir=landing, warehouse_path=tmp_path / f"{name}.duckdb")
        for name, landing in (("plain", plain), ("packed", packed))
    }
    for source in SOURCES:
        summary = reports["packed"][source].summary()
        assert summary["files_loaded"] == reports["plain"][source].summary()["files_loaded"] > 0
        assert summary["files_unrecognized"] == summary["files_failed"] == 0
    expected = raw_tables(tmp_path / "plain.duckdb")
    assert raw_tables(tmp_path / "packed.duckdb") == expected
    assert len(expected["web_events"]) == 7  # the fixture's records (the envelope's too)
    with connect(tmp_path / "packed.duckdb", read_only=True) as con:
        # names read from the file name: the form id and the list kind/name
        assert con.execute(
            "select distinct form_id from raw.form_submissions where provider = 'hubspot'"
        ).fetchall() == [("c4e6a8b0-5d7f-4a9b-8c2e-6f8a0b2d4e04",)]
        assert con.execute(
            "select distinct list_kind, list_name from raw.lead_lists"
        ).fetchall() == [("tradeshow", "saastr_2024")]
    # a re-run finds every .gz loaded (same checksum): nothing new
    again = ingest_all(landing_dir=packed, warehouse_path=tmp_path / "packed.duckdb")
    assert all(r.summary()["files_loaded"] == 0 for r in again.values())
    assert all(r.summary()["files_skipped"] > 0 for r in again.values())


LINES = [
    page("m1"),
    '{"type":"page","messageId":"m2","anon',  # 2 truncated
    '{"batch":[' + page("m3a") + "," + page("m3b") + "]}",  # 3 envelope
    page("m1"),  # 4 duplicate of line 1
    page("m5", ',"name":"Événement"'),  # 5
]


def load(tmp_path: Path, body: bytes) -> tuple[list[tuple], list[tuple], tuple, dict]:
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    path = landing / "web_events/dt=2024-05-02/segment-001.jsonl.gz"
    path.parent.mkdir(parents=True)
    path.write_bytes(gzip.compress(body))
    report = ingest_source("web_events", landing_dir=landing, warehouse_path=wh, quiet_seconds=0)
    with connect(wh, read_only=True) as con:
        loaded = con.execute(
            "select _file, _line, message_id, payload::varchar from raw.web_events order by all"
        ).fetchall()
        quarantine = con.execute(
            "select _file, _line, reason, payload from raw.quarantine order by _line"
        ).fetchall()
        counts = con.execute(
            "select rows_in, rows_loaded, rows_duplicate, rows_quarantined, records_in_file, "
            "records_read from raw.load_manifest"
        ).fetchone()
    return loaded, quarantine, counts, report.summary()


def test_malformed_line_inside_a_gzip_file_is_quarantined_with_its_text(tmp_path, reader_calls):
    loaded, quarantine, counts, summary = load(tmp_path / "fast", "\n".join(LINES).encode())
    assert reader_calls == [1]  # DuckDB's reader decompressed it
    name = "web_events/dt=2024-05-02/segment-001.jsonl.gz"
    assert [(f, line, m) for f, line, m, _ in loaded] == [
        (name, 1, "m1"),
        (name, 3, "m3a"),
        (name, 3, "m3b"),
        (name, 5, "m5"),
    ]
    assert loaded[3][3] == page("m5", ',"name":"Événement"')
    assert quarantine == [(name, 2, "malformed_json", LINES[1])]
    assert counts == (6, 4, 1, 1, 5, 5)
    assert summary["rows_duplicate"] == 1
    # the split path (a blank line) decompresses too and gives the same rows
    slow = load(tmp_path / "slow", ("\n".join(LINES) + "\n\n").encode())
    assert reader_calls == [1]
    assert slow[:3] == (loaded, quarantine, counts)


def test_invalid_utf8_line_inside_a_gzip_file(tmp_path):
    body = "\n".join(LINES).encode() + b"\n" + page("m6").encode()[:-1] + b',"n":"\xff"}\n'
    loaded, quarantine, counts, _ = load(tmp_path, body)
    assert [line for _, line, _, _ in loaded] == [1, 3, 3, 5]
    assert [(line, reason) for _, line, reason, _ in quarantine] == [
        (2, "malformed_json"),
        (6, "invalid_encoding"),
    ]
    assert quarantine[1][3] == page("m6")[:-1] + ',"n":"\\xff"}'
    assert counts == (7, 4, 1, 2, 6, 6)


def test_gzip_file_that_does_not_decompress_fails_alone(tmp_path):
    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    day = landing / "web_events/dt=2024-05-02"
    day.mkdir(parents=True)
    (day / "segment-001.jsonl.gz").write_bytes(gzip.compress(page("m1").encode() + b"\n"))
    truncated = gzip.compress(("\n".join(page(f"t{i}") for i in range(500)) + "\n").encode())
    (day / "segment-002.jsonl.gz").write_bytes(truncated[: len(truncated) // 2])
    report = ingest_source("web_events", landing_dir=landing, warehouse_path=wh, quiet_seconds=0)
    summary = report.summary()
    assert summary["files_loaded"] == 1 and summary["rows_loaded"] == 1
    assert list(summary["failed"]) == ["web_events/dt=2024-05-02/segment-002.jsonl.gz"]


def test_forget_rewrites_a_gzip_landing_file_compressed(tmp_path):
    """Erasure reads a .gz landing file's text and writes its new version gzip-compressed:
    the person's lines are gone, the manifest holds the new file's checksum, a re-run loads
    nothing."""
    import hashlib  # noqa: PLC0415

    from orchestration.privacy import landing_purge  # noqa: PLC0415
    from orchestration.privacy.matching import Subject  # noqa: PLC0415

    landing, wh = tmp_path / "landing", tmp_path / "wh.duckdb"
    path = landing / "web_events/dt=2024-05-02/segment-001.jsonl.gz"
    path.parent.mkdir(parents=True)
    lines = [page("k1"), page("k2").replace('"a"', '"gone-1"'), page("k3")]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    ingest_source("web_events", landing_dir=landing, warehouse_path=wh, quiet_seconds=0)
    rewrites = landing_purge.plan_rewrites(landing, Subject(anonymous_ids={"gone-1"}))
    assert [r.removed_lines for r in rewrites] == [[2]]
    landing_purge.stage_files(rewrites)
    with connect(wh) as con:
        con.execute("begin")
        landing_purge.apply_to_warehouse(con, rewrites)
        con.execute("commit")
    landing_purge.commit_files(rewrites)
    # the line is blanked (the others keep their numbers)
    assert gzip.decompress(path.read_bytes()).decode() == f"{lines[0]}\n\n{lines[2]}\n"
    with connect(wh, read_only=True) as con:
        assert con.execute("select message_id from raw.web_events order by 1").fetchall() == [
            ("k1",),
            ("k3",),
        ]
        assert con.execute("select checksum from raw.load_manifest").fetchone()[0] == (
            hashlib.sha256(path.read_bytes()).hexdigest()
        )
    again = ingest_source("web_events", landing_dir=landing, warehouse_path=wh, quiet_seconds=0)
    assert again.summary()["files_skipped"] == 1 and again.summary()["rows_in"] == 0

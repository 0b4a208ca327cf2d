"""Units of reading files as they really arrive: glob escaping, the independent record
count, invalid UTF-8 lines, CSV delimiters, temporary names."""

from __future__ import annotations

import duckdb

from orchestration.ingestion.file_scan import cleaned_text, scan_file, shown_bytes
from orchestration.ingestion.formats.common import glob_escaped
from orchestration.ingestion.formats.csv_common import detect_delimiter, read_records
from orchestration.ingestion.settle import is_temporary_name


def test_glob_escaped_paths_match_only_themselves(tmp_path):
    for name in ("segment-[12].jsonl", "segment-1.jsonl", "segment-*.jsonl", "a?b.jsonl"):
        (tmp_path / name).write_text(name + "\n")
    with duckdb.connect() as con:
        for name in ("segment-[12].jsonl", "segment-*.jsonl", "a?b.jsonl"):
            rows = con.execute(
                "select filename, content from read_text(?)", [glob_escaped(tmp_path / name)]
            ).fetchall()
            assert rows == [(str(tmp_path / name), name + "\n")]


def test_scan_counts_records_and_finds_invalid_lines(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a":1}\n\n  \n{"b":\xff}\r\n{"c":3}')
    scan = scan_file(path)
    assert scan.records == 3  # blank lines are not records; the last line has no newline
    assert scan.bad_lines == [(4, b'{"b":\xff}')]
    assert cleaned_text(path, scan.bad_lines) == b'{"a":1}\n\n  \n\n{"c":3}'
    assert shown_bytes(b'{"b":\xff}') == '{"b":\\xff}'


def test_scan_counts_csv_rows_and_json_array_elements(tmp_path):
    csv_path = tmp_path / "l.csv"
    csv_path.write_text('email,note\na@x.io,"two\nlines"\n\nb@x.io,x\n')
    assert scan_file(csv_path, "csv").records == 3  # physical non-blank lines after the header
    arr = tmp_path / "s.json"
    arr.write_text('[{"a":1},\n {"b":2}, {"c":3}]')
    assert scan_file(arr, "json_array").records == 3
    arr.write_text('[{"a":1},\n{"b":2\n]')  # broken: lines holding something
    assert scan_file(arr, "json_array").records == 2


def test_delimiter_detection():
    assert detect_delimiter("email,first_name,company") == ","
    assert detect_delimiter("Email;First name;Company") == ";"
    assert detect_delimiter("email\tname") == "\t"
    assert detect_delimiter('"Email Address"') == ","  # one plain column
    assert detect_delimiter("email|first_name") is None


def test_csv_rows_of_an_unknown_dialect_carry_a_reason(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("email|first_name\nkim@x.io|Kim\n")
    lines, texts, payloads, reason = read_records(path)
    assert (lines, texts, payloads, reason) == (
        [2],
        ["kim@x.io|Kim"],
        [None],
        "unrecognized_delimiter",
    )


def test_temporary_names():
    for name in ("segment-001.jsonl.tmp", "x.part", ".hidden", "_truth", "a.csv~"):
        assert is_temporary_name(name)
    assert not is_temporary_name("segment-001.jsonl")

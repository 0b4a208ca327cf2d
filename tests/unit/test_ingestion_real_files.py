"""Units of reading files as they really arrive: glob escaping, the independent record
count, invalid UTF-8 lines, CSV delimiters, temporary names."""

from __future__ import annotations

import duckdb

from orchestration.ingestion.file_scan import (
    LINE_STEP,
    cleaned_text,
    read_lines,
    scan_file,
    shown_bytes,
)
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


def test_scan_indexes_lines_and_read_lines_fetches_them_by_number(tmp_path):
    lines = [f'{{"n":{i}}}' if i % 7 else "  " for i in range(1, 3 * LINE_STEP + 5)]
    lines[100] = '{"n":"\u00e9t\u00e9 caf\u00e9"}\r'  # CRLF line ending
    path = tmp_path / "x.jsonl"
    path.write_bytes("\n".join(lines).encode() + b"\n")
    scan = scan_file(path)
    assert scan.lines == len(lines)
    assert scan.records == len(lines) - sum(1 for line in lines if not line.strip())
    data = path.read_bytes()
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == 10][:-1]
    assert scan.line_index == starts[::LINE_STEP]
    wanted = [1, 2, LINE_STEP, LINE_STEP + 1, 101, 2 * LINE_STEP + 3, len(lines)]
    expected = [lines[n - 1].rstrip("\r").encode() for n in wanted]
    assert read_lines(path, wanted, scan.line_index) == expected
    assert read_lines(path, wanted) == expected  # without the index: from the file's start


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

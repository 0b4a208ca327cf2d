"""SQL building blocks shared by the format adapters.

Files are read with DuckDB's ``read_text`` (several files of one format at once) and split
into lines in SQL, so every record keeps its file (``_path``, the path as given), its
1-based line number (``_line``) and its original text, and a malformed line never stops the
rest of the file from loading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from orchestration.ingestion.file_scan import is_gzip, landing_bytes, read_lines

#: Segment's HTTP API answers 400 above 32 KB per event (docs/formats.md §1.1).
MAX_EVENT_BYTES = 32 * 1024

#: The contract's basic ``x@y.tld`` check, applied after trimming.
EMAIL_REGEX = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$"


def lit(value: str | Path) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def email_ok(expr: str) -> str:
    """SQL: the email in ``expr`` passes the basic check after trimming."""
    return f"regexp_full_match(trim({expr}), {lit(EMAIL_REGEX)})"


def missing(expr: str) -> str:
    """SQL: ``expr`` is null or blank."""
    return f"coalesce(trim({expr}), '') = ''"


def ts_from(expr: str) -> str:
    """SQL: parse ISO-8601 text, or epoch seconds / milliseconds, into timestamptz (else null).

    Numbers above 1e11 are taken as milliseconds (HubSpot ``submittedAt``).
    """
    num = f"try_cast({expr} as double)"
    return (
        f"coalesce(try_cast({expr} as timestamptz), "
        f"case when {num} is null then null when {num} > 1e11 then to_timestamp({num} / 1000.0) "
        f"else to_timestamp({num}) end)"
    )


def url_path(expr: str) -> str:
    """SQL: the path of the absolute URL in ``expr`` ('/' when it has none; null for null)."""
    return (
        f"coalesce(nullif(regexp_extract({expr}, '^[a-zA-Z]+://[^/?#]+(/[^?#]*)', 1), ''), "
        f"case when {expr} is not null then '/' end)"
    )


class Sql(str):
    """A SQL expression (not a literal) where a reason code is expected."""


def reason_case(rules: Sequence[tuple[str, str]]) -> str:
    """SQL CASE giving the first matching quarantine reason, null when none matches.

    A reason is a literal code, or an :class:`Sql` expression computing one.
    """
    whens = " ".join(
        f"when {cond} then {reason if isinstance(reason, Sql) else lit(reason)}"
        for cond, reason in rules
    )
    return f"case {whens} end"


def oversized(text_expr: str = "_text") -> str:
    return f"strlen({text_expr}) > {MAX_EVENT_BYTES}"


def glob_escaped(path: str | Path) -> str:
    """``path`` as a DuckDB glob that matches only itself: each of ``[ ] * ?`` becomes a
    one-character class (``segment-[12].jsonl`` → ``segment-[[]12[]].jsonl``). DuckDB's
    readers take every path as a pattern; a landing file name is data."""
    return re.sub(r"([\[\]*?])", r"[\1]", str(path))


def cleaned_contents(con: duckdb.DuckDBPyConnection, paths: Sequence[Path] = ()) -> set[str]:
    """Paths whose text the loader put in temp table ``_cleaned(filename, content)`` (files
    with invalid UTF-8 lines, those lines blanked). A gzip file of ``paths`` not there yet is
    put there decompressed (DuckDB's ``read_text`` does not decompress)."""
    con.execute("create temp table if not exists _cleaned (filename varchar, content varchar)")
    have = {row[0] for row in con.execute("select filename from _cleaned").fetchall()}
    for path in paths:
        if str(path) not in have and is_gzip(Path(path)):
            con.execute(
                "insert into _cleaned values (?, ?)",
                [str(path), landing_bytes(Path(path)).decode("utf-8", "replace")],
            )
            have.add(str(path))
    return have


def files_sql(paths: Sequence[Path], cleaned: set[str] | frozenset[str] = frozenset()) -> str:
    """A query of ``(filename, content)`` over the given files: ``read_text`` of each path
    (glob-escaped), or the loader's cleaned text for the paths in ``cleaned``."""
    parts = []
    direct = [p for p in paths if str(p) not in cleaned]
    if direct:
        parts.append(
            "select filename, content from read_text(["
            + ", ".join(lit(glob_escaped(p)) for p in direct)
            + "])"
        )
    kept = [str(p) for p in paths if str(p) in cleaned]
    if kept:
        parts.append(
            "select filename, content from _cleaned where filename in ("
            + ", ".join(lit(p) for p in kept)
            + ")"
        )
    if not parts:
        return "(select ''::varchar as filename, ''::varchar as content where false)"
    return "(" + " union all ".join(parts) + ")"


def load_lines(
    con: duckdb.DuckDBPyConnection, paths: Sequence[Path], *, docs: str | None = None
) -> None:
    """Temp table ``_lines(_path, _line, _text)``: the files' non-blank lines (CR stripped).

    ``docs`` replaces the files with a query of ``(filename, content)`` rows.
    """
    source = docs or files_sql(paths, cleaned_contents(con, paths))
    con.execute(
        f"""
        create or replace temp view _lines as
        select _path, _line, _text from (
            select filename as _path, generate_subscripts(l, 1)::integer as _line,
                   rtrim(unnest(l), chr(13)) as _text
            from (select filename, string_split(content, chr(10)) as l from {source})
        ) where trim(_text) <> ''
        """
    )


def load_json_lines(
    con: duckdb.DuckDBPyConnection, paths: Sequence[Path], *, unnest_batch: bool
) -> None:
    """Temp view ``_records(_path, _line, _text, _ok, _payload)`` from NDJSON files.

    ``_ok`` is true for a valid JSON object, ``_payload`` is then that object (type ``json``,
    the text as read: never parsed again to be stored), else null. With ``unnest_batch``, a
    line holding a ``{"batch": [...]}`` envelope yields one record per member, all with the
    envelope's line.

    Files the loader's scan vouches for (:func:`ndjson_ready`) are read by DuckDB's own NDJSON
    reader, streaming and in parallel, straight into the staged rows (:func:`read_ndjson`; the
    loader then calls :func:`settle_ndjson`); the others (blank lines, invalid UTF-8, no scan)
    are read whole and split into lines in SQL (:func:`load_lines`).
    """
    fast = ndjson_ready(con, paths)
    slow = [p for p in paths if str(p) not in fast]
    parts = []
    if fast:
        parts.append(read_ndjson(con, [p for p in paths if str(p) in fast]))
    if slow or not parts:
        load_lines(con, slow)
        _type_lines(con, "_lines_typed")
        parts.append("select _path, _line, _text, _obj, _envelope from _lines_typed")
    con.execute(
        f"""
        create or replace temp view _parsed as
        select _path, _line, _text, _obj, {"_envelope" if unnest_batch else "false"} as _envelope
        from ({" union all ".join(parts)})
        """
    )
    # one pass over _parsed (the files are read once): an envelope's members are unnested in
    # place, any other record stays one row
    member_ok = _IS_OBJECT.format("x")
    con.execute(
        f"""
        create or replace temp view _records as
        select _path, _line,
               case when _envelope then x::varchar else _text end as _text,
               case when _envelope then {member_ok} else _obj is not null end as _ok,
               case when not _envelope then _obj when {member_ok} then x end as _payload
        from (select _path, _line, _text, _obj, _envelope,
                     unnest(case when _envelope then json_extract(_obj, '$.batch[*]')
                                 else [null::json] end) as x
              from _parsed)
        """
        if unnest_batch
        else """
        create or replace temp view _records as
        select _path, _line, _text, _obj is not null as _ok, _obj as _payload from _parsed
        """
    )


#: SQL: the text in ``{}`` is a JSON object (false, not an error, when it is not JSON)
_IS_OBJECT = "coalesce(try(json_type({})) = 'OBJECT', false)"


def _envelope(obj: str, text: str) -> str:
    """SQL: the JSON object ``obj`` (text ``text``) has a ``batch`` array. Parsed again only
    when its text can hold that key (as written, or escaped)."""
    return (
        f"case when {obj} is not null and (contains({text}, '\"batch\"') "
        f"or contains({text}, '\\')) then coalesce(json_type({obj}, '$.batch') = 'ARRAY', false) "
        "else false end"
    )


def _type_lines(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Temp table ``table(_path, _line, _text, _obj, _envelope)`` from view ``_lines``."""
    con.execute(
        f"create or replace temp table {table} as select *, {_envelope('_obj', '_text')} "
        f"as _envelope from (select _path, _line, _text, case when {_IS_OBJECT.format('_text')} "
        "then _text::json end as _obj from _lines)"
    )


#: the temp tables the readers above and below leave (they hold the text of a group's files)
SCRATCH_TABLES = (
    "_nd_first",
    "_lines_typed",
    "_docs",
    "_pyrecords",
)


def release_scratch(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the readers' temp tables once their records are staged (frees their memory)."""
    for table in SCRATCH_TABLES:
        con.execute(f"drop table if exists {table}")


def ndjson_ready(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> set[str]:
    """The paths DuckDB's NDJSON reader can number exactly: the loader's scan (temp table
    ``_files``) found valid UTF-8 and no blank line, so the reader's n-th row is line n, and
    its line offsets are at hand (temp table ``_line_index``; :func:`settle_ndjson` takes a
    file out of it when the reader numbered it otherwise)."""
    # no scan (a stager called on its own): every file the slow way. Looked up, not tried: a
    # failed statement would abort the caller's transaction
    have = {
        r
        for r in con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where database_name = 'temp' and table_name in ('_files', '_line_index')"
        ).fetchall()
    }
    needed = {("_files", c) for c in ("_path", "records_in_file", "lines_in_file", "_utf8")}
    if not needed | {("_line_index", "_path"), ("_line_index", "_offsets")} <= have:
        return set()
    rows = con.execute(
        "select _path from _files where records_in_file = lines_in_file and _utf8 "
        "and _path in (select _path from _line_index)"
    ).fetchall()
    return {r[0] for r in rows} & {str(p) for p in paths}


def read_ndjson(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> str:
    """A query of ``(_path, _line, _text, _obj, _envelope)`` over ``paths`` read by
    ``read_ndjson_objects`` (parallel, streaming: one parse a line): the lines, each line as a
    JSON value when it is an object (else null), and whether it is a ``batch`` envelope.

    The reader skips blank lines and gives a null for a line that is not JSON
    (``ignore_errors``); with no blank line (:func:`ndjson_ready`) it gives each file's lines
    in order, so ``with ordinality`` (numbering the rows of all files in turn) is line number
    plus the lines of the files before it, by the scan's count (temp table ``_nd_first``). The
    reader's value is the line's text without its surrounding white space, and valid JSON: it
    is an object exactly when it starts with ``{`` (no second parse to tell). The query is read
    once, by the loader staging the records; :func:`settle_ndjson` then checks that numbering
    and fetches the original text of the malformed lines.
    """
    wanted = [str(p) for p in paths]
    lines = dict(
        con.execute(
            "select _path, lines_in_file from _files where list_contains($1, _path)", [wanted]
        ).fetchall()
    )
    firsts, at = [], 1
    for path in wanted:
        firsts.append(at)
        at += lines[path]
    con.execute(
        """
        create or replace temp table _nd_first as
        select unnest($1::varchar[]) as _path, unnest($2::bigint[]) as _first,
               unnest($3::bigint[]) as _lines
        """,
        [wanted, firsts, [lines[p] for p in wanted]],
    )
    files = "[" + ", ".join(lit(glob_escaped(p)) for p in paths) + "]"
    return f"""
        select r.filename as _path, (r.ordinality - f._first + 1)::integer as _line,
               r.json::varchar as _text,
               case when starts_with(r.json::varchar, '{{') then r.json end as _obj,
               {_envelope("r.json", "r.json::varchar")} as _envelope
        from read_ndjson_objects({files}, filename = true, ignore_errors = true)
            with ordinality as r
        join _nd_first f on f._path = r.filename
        """


def settle_ndjson(con: duckdb.DuckDBPyConnection) -> list[Path]:
    """After the loader staged the records of :func:`read_ndjson` into ``_staged``: returns the
    files whose lines the reader did not give one row each, in order (their rows are deleted;
    the loader stages them again, split in SQL), and puts into the other files' malformed rows
    (``_text`` null) their original text, read from the file by line number (and the reason
    ``oversized_payload`` instead of ``malformed_json`` when that text is over the limit, as
    the adapters rank the two). Nothing to do when no file was read that way."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where database_name = 'temp' "
        "and table_name = '_nd_first'"
    ).fetchone()[0]
    if not exists:
        return []
    inexact = [
        r[0]
        for r in con.execute(
            """
            select n._path
            from _nd_first n join _files f using (_path)
            left join (select _file, count(distinct _line) as _count, min(_line) as _min,
                              max(_line) as _max
                       from _staged group by _file) s on s._file = f._file
            where coalesce(s._count, 0) <> n._lines
               or (n._lines > 0 and (s._min <> 1 or s._max <> n._lines))
            order by f._ord
            """
        ).fetchall()
    ]
    if inexact:
        con.execute(
            "delete from _staged where _file in (select _file from _files "
            "where list_contains($1, _path))",
            [inexact],
        )
        # the next ndjson_ready leaves them out: they are split in SQL
        con.execute("delete from _line_index where list_contains($1, _path)", [inexact])
    bad: dict[str, list[int]] = {}
    for path, line in con.execute(
        """
        select f._path, s._line from _staged s join _files f using (_file)
        join _nd_first n on n._path = f._path
        where s._text is null and s.reason is not null order by 1, 2
        """
    ).fetchall():
        bad.setdefault(path, []).append(line)
    if bad:
        index = dict(
            con.execute(
                "select _path, _offsets from _line_index where list_contains($1, _path)",
                [list(bad)],
            ).fetchall()
        )
        names, numbers, texts = [], [], []
        for path, wanted in bad.items():
            for number, text in zip(
                wanted, read_lines(Path(path), wanted, index[path]), strict=True
            ):
                names.append(path)
                numbers.append(number)
                texts.append(text.decode("utf-8", "replace"))
        con.execute(
            f"""
            update _staged s set _text = b._text,
                reason = case when s.reason = 'malformed_json' and {oversized("b._text")}
                              then 'oversized_payload' else s.reason end
            from (select f._file, b._line, b._text
                  from (select unnest($1::varchar[]) as _path, unnest($2::integer[]) as _line,
                               unnest($3::varchar[]) as _text) b
                  join _files f using (_path)) b
            where s._file = b._file and s._line = b._line and s._text is null
            """,
            [names, numbers, texts],
        )
    con.execute("drop table _nd_first")
    return [Path(p) for p in inexact]


def load_json_array(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> None:
    """Temp view ``_records(_path, _line, _text, _ok, _payload)`` from files holding one JSON
    array (``_payload``: the element as JSON when it is an object).

    ``_line`` is the element's 1-based position in the array. A file that is not a valid
    JSON array is read line by line instead (one element a line, ``[``/``]``/``,``
    stripped), so one corrupt element only quarantines its own line.
    """
    con.execute(
        f"""
        create or replace temp table _docs as
        select filename, content,
               coalesce(case when json_valid(content) then json_type(content) end = 'ARRAY', false)
                   as _is_array
        from {files_sql(paths, cleaned_contents(con, paths))}
        """
    )
    load_lines(con, paths, docs="(select * from _docs where not _is_array)")
    con.execute(
        r"""
        create or replace temp view _array_records as
        select filename as _path, generate_subscripts(a, 1)::integer as _line,
               unnest(a)::varchar as _text
        from (select filename, json_extract(content, '$[*]') as a from _docs where _is_array)
        union all
        select _path, _line, t as _text from (
            select _path, _line,
                   regexp_replace(regexp_replace(trim(_text), '^\[\s*', ''), '\s*[,\]]*$', '')
                       as t
            from _lines
        ) where t <> ''
        """
    )
    con.execute(
        """
        create or replace temp view _records as
        select _path, _line, _text, _ok, case when _ok then _text::json end as _payload
        from (select *,
                     coalesce(case when json_valid(_text) then json_type(_text) end = 'OBJECT',
                              false) as _ok
              from _array_records)
        """
    )


def load_python_records(
    con: duckdb.DuckDBPyConnection,
    paths: list[str],
    lines: list[int],
    texts: list[str],
    payloads: list[str | None],
    reasons: list[str | None] | None = None,
) -> None:
    """Temp table ``_records(_path, _line, _text, _ok, _json, _pre_reason)`` from records
    parsed in Python.

    ``_json`` is the record as a JSON object (null when it could not be parsed);
    ``_pre_reason`` a quarantine reason the reader already knows (e.g. ``unrecognized_delimiter``).
    """
    con.execute(
        """
        create or replace temp table _pyrecords as
        select unnest($1::varchar[]) as _path, unnest($2::integer[]) as _line,
               unnest($3::varchar[]) as _text, unnest($4::varchar[]) as _json,
               unnest($5::varchar[]) as _pre_reason
        """,
        [paths, lines, texts, payloads, reasons or [None] * len(paths)],
    )
    con.execute(
        "create or replace temp view _records as "
        "select _path, _line, _text, _json is not null and _pre_reason is null as _ok, _json, "
        "_pre_reason from _pyrecords"
    )

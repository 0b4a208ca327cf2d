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

from orchestration.ingestion.file_scan import read_lines

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


def cleaned_contents(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Paths whose text the loader put in temp table ``_cleaned(filename, content)`` (files
    with invalid UTF-8 lines, those lines blanked); empty when there is no such table."""
    try:
        return {row[0] for row in con.execute("select filename from _cleaned").fetchall()}
    except duckdb.CatalogException:
        return set()


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
    source = docs or files_sql(paths, cleaned_contents(con))
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
    reader, streaming and in parallel (:func:`read_ndjson`); the others (blank lines, invalid
    UTF-8, no scan) are read whole and split into lines in SQL (:func:`load_lines`).
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
    con.execute(
        f"""
        create or replace temp view _records as
        select _path, _line, _text, _obj is not null as _ok, _obj as _payload
        from _parsed where not _envelope
        union all
        select _path, _line, x::varchar as _text, _is_object as _ok,
               case when _is_object then x end as _payload
        from (
            select _path, _line, x, {_IS_OBJECT.format("x")} as _is_object
            from (select _path, _line, unnest(json_extract(_obj, '$.batch[*]')) as x
                  from _parsed where _envelope)
        )
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
    "_nd",
    "_nd_files",
    "_nd_bad",
    "_nd_missed",
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
    ``_files``) found valid UTF-8 and no blank line, so the reader's n-th row is line n."""
    # no scan (a stager called on its own): every file the slow way. Looked up, not tried: a
    # failed statement would abort the caller's transaction
    have = {
        r[0]
        for r in con.execute(
            "select column_name from duckdb_columns() "
            "where database_name = 'temp' and table_name = '_files'"
        ).fetchall()
    }
    if not {"_path", "records_in_file", "lines_in_file", "_utf8", "_line_index"} <= have:
        return set()
    rows = con.execute(
        "select _path from _files where records_in_file = lines_in_file and _utf8"
    ).fetchall()
    return {r[0] for r in rows} & {str(p) for p in paths}


def read_ndjson(con: duckdb.DuckDBPyConnection, paths: Sequence[Path]) -> str:
    """Read ``paths`` with ``read_ndjson_objects`` (parallel, streaming: one parse a line);
    returns a query of ``(_path, _line, _text, _obj, _envelope)``: the lines, each line as a
    JSON value when it is an object (else null), and whether it is a ``batch`` envelope.

    The reader skips blank lines and gives a null for a line that is not JSON
    (``ignore_errors``); with no blank line (:func:`ndjson_ready`) its n-th row of a file is
    line n (``with ordinality`` numbers the rows in file order). A file whose row count
    differs from the scan's line count, or whose rows are not numbered in one run, is read the
    slow way instead, and the original text of the null rows (malformed lines, to quarantine)
    is fetched from the file by line number, so nothing but those few lines is read twice.
    The reader's value is the line's text without its surrounding white space, and valid
    JSON: it is an object exactly when it starts with ``{`` (no second parse to tell).
    """
    files = "[" + ", ".join(lit(glob_escaped(p)) for p in paths) + "]"
    con.execute(
        f"""
        create or replace temp table _nd as
        select _path, _n, json, {_envelope("json", "json::varchar")} as _envelope
        from (select filename as _path, ordinality as _n, json
              from read_ndjson_objects({files}, filename = true, ignore_errors = true)
                  with ordinality)
        """
    )
    con.execute(
        """
        create or replace temp table _nd_files as
        -- exact: as many rows as the scan counted lines, numbered without a gap
        select n._path, n._first,
               f.records_in_file = n._rows and n._last - n._first + 1 = n._rows as _exact
        from (select _path, min(_n) as _first, max(_n) as _last, count(*) as _rows
              from _nd group by _path) n
        join _files f using (_path)
        """
    )
    missed = [
        Path(r[0]) for r in con.execute("select _path from _nd_files where not _exact").fetchall()
    ] + [Path(p) for p in {str(p) for p in paths} - _nd_paths(con)]
    bad: dict[str, list[int]] = {}
    for path, line in con.execute(
        """
        select d._path, (d._n - f._first + 1)::integer from _nd d join _nd_files f using (_path)
        where f._exact and d.json is null order by 1, 2
        """
    ).fetchall():
        bad.setdefault(path, []).append(line)
    index = dict(
        con.execute(
            "select _path, _line_index from _files where list_contains($1, _path)", [list(bad)]
        ).fetchall()
    )
    numbers, texts, names = [], [], []
    for path, wanted in bad.items():
        for number, text in zip(wanted, read_lines(Path(path), wanted, index[path]), strict=True):
            names.append(path)
            numbers.append(number)
            texts.append(text.decode("utf-8", "replace"))
    con.execute(
        """
        create or replace temp table _nd_bad as
        select unnest($1::varchar[]) as _path, unnest($2::integer[]) as _line,
               unnest($3::varchar[]) as _text
        """,
        [names, numbers, texts],
    )
    query = """
        select d._path, (d._n - f._first + 1)::integer as _line,
               coalesce(d.json::varchar, b._text) as _text,
               case when starts_with(d.json::varchar, '{') then d.json end as _obj, d._envelope
        from _nd d join _nd_files f on f._path = d._path and f._exact
        left join _nd_bad b on b._path = d._path and b._line = (d._n - f._first + 1)::integer
        """
    if missed:
        load_lines(con, missed)
        _type_lines(con, "_nd_missed")
        query += " union all select _path, _line, _text, _obj, _envelope from _nd_missed"
    return query


def _nd_paths(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The files the NDJSON reader gave rows for (an empty file gives none)."""
    return {r[0] for r in con.execute("select _path from _nd_files").fetchall()}


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
        from {files_sql(paths, cleaned_contents(con))}
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

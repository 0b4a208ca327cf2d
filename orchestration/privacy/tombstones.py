"""Salted-hash tombstones: what keeps a forgotten person forgotten.

``leadhouse forget`` stores, in ``privacy.erasure_tombstones``, sha256(salt ":" token) of
each email, cookie id and user id of the person, never the values themselves. Ingestion
calls :func:`drop_tombstoned` on the records it is about to load: a record naming a
tombstoned token (in its email / anonymous_id / user_id column, or any email in its text)
is accounted as quarantined with reason ``erased`` and *no payload*, so a re-landed old
file or a resent webhook does not bring the person back and the row accounting still holds.

The salt comes from ``LEADHOUSE_ERASURE_SALT``; without it one is generated on first use
and kept next to the warehouse (``.leadhouse-erasure-salt``, mode 600). Keep it stable: a
different salt cannot match the existing tombstones (the check below refuses to go on).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import duckdb

from orchestration.config import secret
from orchestration.privacy.matching import EMAIL_IN_TEXT

SALT_ENV = "LEADHOUSE_ERASURE_SALT"
SALT_FILE = ".leadhouse-erasure-salt"
ERASED_REASON = "erased"

DDL = [
    "create schema if not exists privacy",
    """create table if not exists privacy.erasure_tombstones (
        token_hash varchar primary key, kind varchar, request_id varchar,
        forgotten_at timestamptz)""",
    """create table if not exists privacy.erasure_requests (
        request_id varchar primary key, requested_at timestamptz, subjects integer,
        rows_deleted bigint, files_rewritten integer, crm_erasures_queued integer,
        salt_check varchar)""",
]


class SaltMismatch(RuntimeError):
    """The salt in use is not the one the tombstones were written with."""


def salt(warehouse: Path) -> str:
    """The erasure salt: ``$LEADHOUSE_ERASURE_SALT``, else the salt file beside the warehouse
    (created on first use)."""
    value = secret(SALT_ENV)
    if value:
        return value
    path = Path(warehouse).parent / SALT_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def salt_check(value: str) -> str:
    """A value stored with each request to detect a changed salt (not the salt itself)."""
    return hashlib.sha256(f"check:{value}".encode()).hexdigest()[:16]


def token_hash(value: str, token: str) -> str:
    return hashlib.sha256(f"{value}:{token.strip().lower()}".encode()).hexdigest()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)


def verify_salt(con: duckdb.DuckDBPyConnection, value: str) -> None:
    known = {
        r[0]
        for r in con.execute(
            "select distinct salt_check from privacy.erasure_requests where salt_check is not null"
        ).fetchall()
    }
    if known and salt_check(value) not in known:
        raise SaltMismatch(
            f"{SALT_ENV} (or {SALT_FILE}) is not the salt the erasure tombstones were made with; "
            "restore it: forgotten people would otherwise come back on re-ingestion"
        )


def add(
    con: duckdb.DuckDBPyConnection, value: str, tokens: dict[str, set[str]], request_id: str
) -> int:
    """Store the hashes of ``tokens`` ({kind: values}); returns how many are new."""
    rows = [
        (token_hash(value, t), kind, request_id)
        for kind, values in tokens.items()
        for t in sorted(values)
        if t
    ]
    before = con.execute("select count(*) from privacy.erasure_tombstones").fetchone()[0]
    con.executemany(
        "insert or ignore into privacy.erasure_tombstones values (?, ?, ?, now())", rows
    )
    return con.execute("select count(*) from privacy.erasure_tombstones").fetchone()[0] - before


def _has_tombstones(con: duckdb.DuckDBPyConnection) -> bool:
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'privacy' and table_name = 'erasure_tombstones'"
    ).fetchone()[0]
    return bool(exists) and bool(
        con.execute("select count(*) from privacy.erasure_tombstones").fetchone()[0]
    )


def drop_tombstoned(con: duckdb.DuckDBPyConnection, staged: str = "_staged") -> int:
    """Ingestion hook: mark staged records of forgotten people ``erased`` and blank their
    text and payload (they then count as quarantined, with nothing personal kept).
    Returns the number of records dropped; a no-op when nobody was ever forgotten."""
    if not _has_tombstones(con):
        return 0
    db_file = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchone()[0]
    value = salt(Path(db_file))
    columns = {r[0] for r in con.execute(f"select column_name from (describe {staged})").fetchall()}
    direct = [
        f"lower(trim({c}::varchar))" for c in ("email", "anonymous_id", "user_id") if c in columns
    ]
    # the loader keeps _text for quarantined records only: a loaded one's text is its payload
    text = "lower(coalesce(_text, payload::varchar, ''))"
    candidates = " || ".join(
        [
            f"regexp_extract_all({text}, $re)",
            # form posts URL-encode the email; try(): a malformed %-sequence is not an error
            "coalesce(regexp_extract_all(lower(try(url_decode(_text))), $re), []::varchar[])",
            f"[{', '.join(direct)}]" if direct else "[]::varchar[]",
        ]
    )
    con.execute(
        f"""
        create or replace temp table _erased_rows as
        select distinct s.rowid as rid
        from (select rowid, unnest(list_distinct({candidates})) as tok from {staged}) s
        join privacy.erasure_tombstones t on t.token_hash = sha256($salt || ':' || s.tok)
        where s.tok is not null and s.tok <> ''
        """,
        {"re": EMAIL_IN_TEXT, "salt": value},
    )
    n = con.execute("select count(*) from _erased_rows").fetchone()[0]
    if n:
        con.execute(
            f"update {staged} set reason = '{ERASED_REASON}', _text = null, payload = null "
            "where rowid in (select rid from _erased_rows)"
        )
    return n

"""State and audit tables of the reverse-ETL (DuckDB schema ``retl``, docs/formats.md §6.3).

Every function takes an open connection; callers open it with :func:`connect` inside a
``with`` block and close it before any long wait (API calls), so the warehouse file is
never held while dbt or another writer needs it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.activation.secrets import redact
from orchestration.resources import bulk_load, engine_of, memory_duckdb
from orchestration.resources import warehouse as warehouse_resource

DDL = """
create schema if not exists retl;
create table if not exists retl.sync_runs(sync_run_id varchar primary key, sync_id varchar,
  dagster_run_id varchar, mode varchar, dry_run boolean,
  started_at timestamptz, finished_at timestamptz, status varchar,
  source_rows int, invalid_rows int, planned_inserts int, planned_updates int, planned_deletes int,
  unchanged_rows int, sent_rows int, succeeded_rows int, rejected_rows int, failed_rows int,
  api_calls int, error_message varchar);
create table if not exists retl.sync_record_log(sync_run_id varchar, sync_id varchar,
  primary_key varchar, operation varchar, fingerprint varchar, payload json, status varchar,
  dest_record_id varchar, http_status int, error_code varchar, error_message varchar,
  attempt int, logged_at timestamptz);
create table if not exists retl.sync_state(sync_id varchar, primary_key varchar,
  fingerprint varchar, dest_record_id varchar, last_status varchar, last_synced_at timestamptz,
  last_sync_run_id varchar, primary key(sync_id, primary_key));
create table if not exists retl.erasure_requests(request_id varchar, sync_id varchar,
  dest_record_id varchar, requested_at timestamptz, status varchar, sync_run_id varchar,
  attempted_at timestamptz, http_status int, error_code varchar, error_message varchar,
  primary key(request_id, sync_id, dest_record_id));
"""

RUN_COUNTERS = (
    "source_rows",
    "invalid_rows",
    "planned_inserts",
    "planned_updates",
    "planned_deletes",
    "unchanged_rows",
    "sent_rows",
    "succeeded_rows",
    "rejected_rows",
    "failed_rows",
    "api_calls",
)


@contextmanager
def connect(warehouse: Path | str, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived connection to the warehouse; the ``retl`` tables exist when it opens."""
    with warehouse_resource(path=warehouse).connect(read_only=read_only) as con:
        if not read_only:
            con.execute(DDL if engine_of(con) == "duckdb" else DDL.replace(" json,", " jsonb,"))
        yield con


def now() -> datetime:
    return datetime.now(UTC)


def start_run(
    con: duckdb.DuckDBPyConnection,
    *,
    sync_run_id: str,
    sync_id: str,
    dagster_run_id: str | None,
    mode: str,
    dry_run: bool,
) -> None:
    """Insert the run row (status running); close runs of this sync a crash left running."""
    con.execute(
        "update retl.sync_runs set status = 'failed', finished_at = now(), "
        "error_message = coalesce(error_message, 'interrupted: the process stopped mid-run') "
        "where sync_id = ? and status = 'running'",
        [sync_id],
    )
    con.execute(
        "insert into retl.sync_runs (sync_run_id, sync_id, dagster_run_id, mode, dry_run, "
        "started_at, status) values (?, ?, ?, ?, ?, now(), 'running')",
        [sync_run_id, sync_id, dagster_run_id, mode, dry_run],
    )


def update_run(
    con: duckdb.DuckDBPyConnection,
    sync_run_id: str,
    counts: dict[str, int],
    *,
    status: str | None = None,
    error_message: str | None = None,
    finished: bool = False,
) -> None:
    """Write the run's counters (and status / error / finish time when given)."""
    cols = [c for c in RUN_COUNTERS if c in counts]
    sets = [f"{c} = ?" for c in cols]
    params: list[object] = [int(counts[c]) for c in cols]
    if status is not None:
        sets.append("status = ?")
        params.append(status)
    if error_message is not None:
        sets.append("error_message = ?")
        params.append(redact(error_message)[:2000])
    if finished:
        sets.append("finished_at = now()")
    if sets:
        con.execute(
            f"update retl.sync_runs set {', '.join(sets)} where sync_run_id = ?",
            [*params, sync_run_id],
        )


_BATCH_COLUMNS = {
    "sync_run_id": "varchar",
    "sync_id": "varchar",
    "primary_key": "varchar",
    "operation": "varchar",
    "fingerprint": "varchar",
    "payload": "json",
    "status": "varchar",
    "dest_record_id": "varchar",
    "http_status": "int",
    "error_code": "varchar",
    "error_message": "varchar",
    "attempt": "int",
}


@dataclass(frozen=True)
class RecordOutcome:
    """What the destination said about one record of a batch."""

    primary_key: str
    operation: str  # insert | update | delete
    fingerprint: str | None
    payload: dict | None
    status: str  # success | rejected | failed
    dest_record_id: str | None = None
    http_status: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    attempt: int = 1


def _error_message(o: RecordOutcome) -> str | None:
    """The outcome's error, redacted and cut to what the log keeps."""
    return None if o.error_message is None else redact(o.error_message)[:1000]


def _result(o: RecordOutcome) -> tuple:
    """The log columns of an outcome's result: status, destination id, HTTP status, error code
    and message, attempt."""
    return (o.status, o.dest_record_id, o.http_status, o.error_code, _error_message(o), o.attempt)


def record_batch(
    con: duckdb.DuckDBPyConnection,
    *,
    sync_id: str,
    sync_run_id: str,
    outcomes: Sequence[RecordOutcome],
) -> None:
    """Log a confirmed batch and move the state of its records, in one transaction.

    success -> state takes the new fingerprint (a delete removes the state row);
    rejected -> state keeps the fingerprint with last_status 'rejected' (not retried until
    the record changes); failed -> state untouched (the next run resends it).
    """
    if not outcomes:
        return
    rows = [
        (
            sync_run_id,
            sync_id,
            o.primary_key,
            o.operation,
            o.fingerprint,
            None if o.payload is None else json.dumps(o.payload, sort_keys=True, default=str),
            *_result(o),
        )
        for o in outcomes
    ]
    import pandas as pd  # only when a batch is written: keeps it out of the code location load

    con.execute("begin")
    try:
        frame = pd.DataFrame(rows, columns=list(_BATCH_COLUMNS), dtype=object)
        typed = "select " + ", ".join(f"{c}::{t} as {c}" for c, t in _BATCH_COLUMNS.items())
        if engine_of(con) == "duckdb":
            con.register("_batch_frame", frame)
            con.execute(f"create or replace temp table _batch as {typed} from _batch_frame")
            con.unregister("_batch_frame")
        else:  # typed by DuckDB, then COPY into a temp table of the warehouse
            with closing(memory_duckdb()) as scratch:
                scratch.register("_batch_frame", frame)
                bulk_load(
                    con, scratch.sql(f"{typed} from _batch_frame"), "_batch", create_temp=True
                )
        con.execute("insert into retl.sync_record_log select *, now() as logged_at from _batch")
        con.execute(
            "delete from retl.sync_state s using _batch b where s.sync_id = b.sync_id "
            "and s.primary_key = b.primary_key and b.operation = 'delete' and b.status = 'success'"
        )
        con.execute(
            """
            insert into retl.sync_state
            select b.sync_id, b.primary_key, b.fingerprint,
                   coalesce(b.dest_record_id, s.dest_record_id), b.status, now(), b.sync_run_id
            from _batch b
            left join retl.sync_state s on s.sync_id = b.sync_id and s.primary_key = b.primary_key
            where b.status in ('success', 'rejected') and b.operation <> 'delete'
            on conflict (sync_id, primary_key) do update set
                fingerprint = excluded.fingerprint, dest_record_id = excluded.dest_record_id,
                last_status = excluded.last_status, last_synced_at = excluded.last_synced_at,
                last_sync_run_id = excluded.last_sync_run_id
            """
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


# -- erasure (queued by ``leadhouse forget``, sent by the next run of each CRM sync) ----------
def queue_erasure(
    con: duckdb.DuckDBPyConnection, *, request_id: str, sync_id: str, dest_record_id: str
) -> None:
    """Queue the deletion of one destination record (no personal data: only its CRM id)."""
    con.execute(
        "insert into retl.erasure_requests (request_id, sync_id, dest_record_id, "
        "requested_at, status) values (?, ?, ?, now(), 'queued') on conflict do nothing",
        [request_id, sync_id, dest_record_id],
    )


def pending_erasures(con: duckdb.DuckDBPyConnection, sync_id: str) -> list[tuple[str, str]]:
    """``(request_id, dest_record_id)`` of the deletions still to send for ``sync_id``."""
    return con.execute(
        "select request_id, dest_record_id from retl.erasure_requests "
        "where sync_id = ? and status in ('queued', 'failed') order by requested_at, request_id",
        [sync_id],
    ).fetchall()


def record_erasures(
    con: duckdb.DuckDBPyConnection,
    *,
    sync_id: str,
    sync_run_id: str,
    outcomes: Sequence[tuple[str, RecordOutcome]],
) -> None:
    """Audit sent deletions: ``(request_id, outcome)`` pairs (outcome.primary_key is the
    request id, never the lead), in ``erasure_requests`` and ``sync_record_log``."""
    if not outcomes:
        return
    con.execute("begin")
    try:
        for request_id, o in outcomes:
            con.execute(
                "update retl.erasure_requests set status = ?, sync_run_id = ?, "
                "attempted_at = now(), http_status = ?, error_code = ?, error_message = ? "
                "where request_id = ? and sync_id = ? and dest_record_id = ?",
                [
                    "sent" if o.status == "success" else o.status,
                    sync_run_id,
                    o.http_status,
                    o.error_code,
                    _error_message(o),
                    request_id,
                    sync_id,
                    o.dest_record_id,
                ],
            )
            con.execute(
                "insert into retl.sync_record_log values "
                "(?, ?, ?, 'erase', null, null, ?, ?, ?, ?, ?, ?, now())",
                [
                    sync_run_id,
                    sync_id,
                    request_id,
                    *_result(o),
                ],
            )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise

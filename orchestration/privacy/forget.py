"""Erase people: the steps ``leadhouse forget`` runs, in an order that survives a crash.

1. resolve the subject (emails -> lead ids, cookie ids, user ids) in the warehouse;
2. plan the landing rewrites and write the new versions beside the originals;
3. in ONE warehouse transaction: queue a CRM deletion for every record a CRM sync created
   (``retl.erasure_requests``, sent by that sync's next run), delete/scrub every row naming
   the subject, apply the landing rewrites to the raw tables and the manifest, store the
   salted-hash tombstones and the request;
4. rename the new landing files over the originals;
5. compact the warehouse into a new file (``COPY FROM DATABASE``) renamed over the old one,
   so no freed block of the DuckDB file still holds the deleted values;
6. scrub the output folder, the landing folder's other files and Dagster's storage.
A crash before 3 commits changes nothing (re-run the command); after it, re-running
finishes 4 and 5 (the rewrites are re-planned from the files themselves).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from orchestration.activation import store as retl
from orchestration.privacy import files_purge, landing_purge, tombstones, warehouse_purge
from orchestration.privacy.matching import Subject
from orchestration.privacy.subject import resolve
from orchestration.resources import memory_duckdb
from orchestration.resources import warehouse as warehouse_resource

#: destinations that hold copies we can delete through their API
CRM_DESTINATIONS = ("hubspot", "salesforce")


@dataclass
class ForgetReport:
    request_id: str
    subjects: int
    identifiers: dict[str, int] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    scrubbed: dict[str, int] = field(default_factory=dict)
    landing_files: list[str] = field(default_factory=list)
    crm_erasures: dict[str, int] = field(default_factory=dict)
    tombstones_added: int = 0
    files: files_purge.FilesPurge = field(default_factory=files_purge.FilesPurge)

    @property
    def rows_deleted(self) -> int:
        return sum(self.tables.values())


def _crm_syncs() -> dict[str, str]:
    from orchestration.activation.spec import shipped_specs

    return {s.sync_id: s.destination for s in shipped_specs().values()}


def _queue_crm(con: duckdb.DuckDBPyConnection, subject: Subject, request_id: str) -> dict[str, int]:
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'retl' and table_name = 'sync_state'"
    ).fetchone()[0]
    if not exists:
        return {}
    con.execute(retl.DDL)
    destinations = _crm_syncs()
    rows = con.execute(
        "select sync_id, dest_record_id from retl.sync_state "
        "where list_contains($ids, primary_key) and dest_record_id is not null",
        {"ids": sorted(subject.lead_ids)},
    ).fetchall()
    queued: dict[str, int] = {}
    for sync_id, dest_id in rows:
        if destinations.get(sync_id, "hubspot") not in CRM_DESTINATIONS:
            continue
        retl.queue_erasure(con, request_id=request_id, sync_id=sync_id, dest_record_id=dest_id)
        queued[sync_id] = queued.get(sync_id, 0) + 1
    return queued


def forget(
    emails: list[str],
    *,
    warehouse: Path,
    landing: Path,
    output: Path,
    dagster_home: Path | None,
) -> ForgetReport:
    """Erase ``emails`` (and everything linked only to them) everywhere Leadhouse keeps data."""
    request_id = f"erase-{uuid.uuid4().hex[:16]}"
    con = warehouse_resource("duckdb", path=warehouse).open()  # DuckDB only (docs/engines.md)
    try:
        tombstones.ensure_schema(con)
        salt = tombstones.salt(warehouse)
        tombstones.verify_salt(con, salt)
        subject = resolve(con, emails)
        report = ForgetReport(request_id, len(subject.emails))
        report.identifiers = {
            "emails": len(subject.emails),
            "lead_ids": len(subject.lead_ids),
            "cookie_ids": len(subject.anonymous_ids),
            "user_ids": len(subject.user_ids),
        }
        rewrites = landing_purge.plan_rewrites(landing, subject)
        landing_purge.stage_files(rewrites)
        try:
            con.execute("begin")
            report.crm_erasures = _queue_crm(con, subject, request_id)
            purged = warehouse_purge.purge(con, subject)
            if _has_manifest(con):
                landing_purge.apply_to_warehouse(con, rewrites)
            report.tables, report.scrubbed = purged.deleted, purged.scrubbed
            report.tombstones_added = tombstones.add(
                con,
                salt,
                {
                    "email": subject.emails,
                    "anonymous_id": subject.anonymous_ids,
                    "user_id": subject.user_ids,
                },
                request_id,
            )
            con.execute(
                "insert into privacy.erasure_requests values (?, now(), ?, ?, ?, ?, ?)",
                [
                    request_id,
                    report.subjects,
                    purged.rows_deleted,
                    len(rewrites),
                    sum(report.crm_erasures.values()),
                    tombstones.salt_check(salt),
                ],
            )
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            landing_purge.discard_files(rewrites)
            raise
        con.execute("checkpoint")
    finally:
        con.close()
    landing_purge.commit_files(rewrites)
    compact(warehouse)
    report.landing_files = [r.file.rel for r in rewrites]
    skip = (landing / s for s in _source_dirs())
    files_purge.scrub_tree(landing, subject, report.files, skip=tuple(skip))
    files_purge.scrub_tree(output, subject, report.files)
    if dagster_home is not None:
        files_purge.scrub_tree(dagster_home, subject, report.files)
    return report


def compact(warehouse: Path) -> None:
    """Rewrite the DuckDB file with only its live data, then rename it over the original.

    The copy is attached under the original's catalog name, so dbt's fully-qualified views
    bind to it. A crash leaves the original intact (and a ``.compact`` file to delete)."""
    warehouse = Path(warehouse)
    tmp = warehouse.with_name(f"{warehouse.name}.compact")
    tmp.unlink(missing_ok=True)
    con = memory_duckdb()
    try:
        con.execute(f"attach '{_sql_path(warehouse)}' as forget_src (read_only)")
        con.execute(f"attach '{_sql_path(tmp)}' as \"{warehouse.stem}\"")
        con.execute(f'copy from database forget_src to "{warehouse.stem}"')
        con.execute(f'detach "{warehouse.stem}"')
        con.execute("detach forget_src")
    finally:
        con.close()
    with tmp.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, warehouse)
    Path(f"{warehouse}.wal").unlink(missing_ok=True)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _source_dirs() -> tuple[str, ...]:
    from orchestration.config import SOURCES

    return SOURCES


def _has_manifest(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'load_manifest'"
        ).fetchone()[0]
    )


def subject_reference(email: str) -> str:
    """A short, non-reversible reference to print instead of the email."""
    return hashlib.sha256(f"ref:{email.strip().lower()}".encode()).hexdigest()[:10]


def dagster_home_from_env() -> Path | None:
    from orchestration.config import settings

    return settings().dagster_home

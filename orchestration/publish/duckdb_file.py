"""The published analytics database on DuckDB: a separate file that BI opens read-only.

A version is built into a new file beside the current one, made read-only, flushed to disk and
swapped in with ``rename(2)``, which is atomic: whoever opens the path gets the previous complete
version or the new one, never a mix, and a reader that already has the file open keeps reading
the version it opened. The replaced version stays beside it (``<stem>.previous.duckdb``, a hard
link to the same inode, so keeping it costs no copy) for :func:`rollback`.

Files (``analytics.duckdb`` in ``data/warehouse/`` by default):
``analytics.duckdb`` the current version, ``analytics.previous.duckdb`` the one before,
``.analytics.duckdb.<run>.building`` a version being built (removed on failure),
``.analytics.duckdb.lock`` serialises publish and rollback.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.publish.spec import (
    TABLES_TABLE,
    VERSION_COLUMNS,
    VERSION_TABLE,
    PublishSpec,
    version_records,
)
from orchestration.resources import memory_duckdb


class NothingToRollBack(RuntimeError):
    """No previous version is kept beside the published file."""


@dataclass
class PublishReport:
    path: Path | str  # the file, or the PostgreSQL schema
    source_run_id: str
    published_at: datetime
    data_as_of: datetime | None
    rows: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0
    swap_seconds: float = 0.0  # keep the previous version + the atomic rename
    sync_seconds: float = 0.0  # fsync of the folder after the rename
    bytes: int = 0

    @property
    def publish_seconds(self) -> float:
        return self.build_seconds + self.swap_seconds + self.sync_seconds


def previous_path(target: Path) -> Path:
    """``analytics.duckdb`` -> ``analytics.previous.duckdb`` (same folder)."""
    return target.with_name(f"{target.stem}.previous{target.suffix or '.duckdb'}")


def _hidden(target: Path, tag: str) -> Path:
    return target.with_name(f".{target.name}.{tag}")


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextlib.contextmanager
def _exclusive(target: Path) -> Iterator[None]:
    """One publish or rollback at a time per published file (readers are not affected)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(_hidden(target, "lock"), "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for p in (path, Path(f"{path}.wal")):
        p.unlink(missing_ok=True)


def _keep_as_previous(target: Path) -> None:
    """Make ``previous`` name the inode ``target`` names now (atomic; a hard link, no copy)."""
    if not target.exists():
        return
    tmp = _hidden(target, "previous.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(target, tmp)
    except OSError:  # a file system without hard links: keep a copy instead
        shutil.copyfile(target, tmp)
    os.replace(tmp, previous_path(target))


def build_version(
    warehouse: Path, out: Path, spec: PublishSpec, run_id: str, published_at: datetime
) -> tuple[dict[str, int], datetime | None]:
    """Copy the spec's relations from ``warehouse`` (opened read-only) into a new DuckDB file
    ``out``, with the version tables. Returns rows per relation and the data as-of."""
    con = memory_duckdb()  # in memory: both files attached under names we choose
    try:
        con.execute(f"attach {_sql_string(str(warehouse))} as wh (read_only)")
        con.execute(f"attach {_sql_string(str(out))} as pub")
        con.execute("use wh")
        as_of = con.execute(spec.data_as_of).fetchone()[0]
        rows: dict[str, int] = {}
        for rel in spec.tables:
            table = f'pub.main."{rel.name}"'
            con.execute(f"create table {table} as select * from wh.{rel.qualified}")
            rows[rel.name] = con.execute(f"select count(*) from {table}").fetchone()[0]
        con.execute(
            f'create table pub.main."{VERSION_TABLE}" (source_run_id varchar, '
            "published_at timestamp, data_as_of timestamp, relations integer, total_rows bigint)"
        )
        version, tables = version_records(spec, run_id, published_at, as_of, rows)
        con.execute(f'insert into pub.main."{VERSION_TABLE}" values (?, ?, ?, ?, ?)', version)
        con.execute(
            f'create table pub.main."{TABLES_TABLE}" '
            "(relation varchar, source_relation varchar, row_count bigint)"
        )
        con.executemany(f'insert into pub.main."{TABLES_TABLE}" values (?, ?, ?)', tables)
        con.execute("checkpoint pub")
        con.execute("use memory")
        con.execute("detach pub")
        con.execute("detach wh")
    finally:
        con.close()
    return rows, as_of


def publish(
    warehouse: Path, target: Path, spec: PublishSpec, run_id: str, now: datetime | None = None
) -> PublishReport:
    """Build a new version of the published file from ``warehouse`` and swap it in atomically;
    the replaced version becomes the previous one. On any error the published file is left as
    it was (the half-built file is removed)."""
    published_at = (now or datetime.now(UTC)).replace(tzinfo=None)
    with _exclusive(target):
        building = _hidden(target, f"{run_id}.building")
        _remove(building)
        started = time.perf_counter()
        try:
            rows, as_of = build_version(warehouse, building, spec, run_id, published_at)
            os.chmod(building, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)  # 0444: read-only
            _fsync(building)
        except BaseException:
            _remove(building)
            raise
        build_seconds = time.perf_counter() - started
        size = building.stat().st_size
        started = time.perf_counter()
        try:
            _keep_as_previous(target)
            os.replace(building, target)  # the switch: readers opening the path see it now
        except BaseException:
            _remove(building)
            raise
        swap_seconds = time.perf_counter() - started
        started = time.perf_counter()
        _fsync(target.parent)  # make the renames durable (readers are not waiting on it)
        sync_seconds = time.perf_counter() - started
    return PublishReport(
        path=target,
        source_run_id=run_id,
        published_at=published_at,
        data_as_of=as_of,
        rows=rows,
        build_seconds=build_seconds,
        swap_seconds=swap_seconds,
        sync_seconds=sync_seconds,
        bytes=size,
    )


def rollback(target: Path) -> float:
    """Swap the previous version back in (atomically); the version it replaces becomes the
    previous one, so a second rollback rolls forward again. Returns the swap time in seconds."""
    previous = previous_path(target)
    with _exclusive(target):
        if not previous.exists():
            raise NothingToRollBack(f"no previous version at {previous}")
        started = time.perf_counter()
        tmp = _hidden(target, "rollback.tmp")
        tmp.unlink(missing_ok=True)
        if target.exists():
            try:
                os.link(target, tmp)
            except OSError:  # a file system without hard links
                shutil.copyfile(target, tmp)
        os.replace(previous, target)
        if tmp.exists():
            os.replace(tmp, previous)
        _fsync(target.parent)
        return time.perf_counter() - started


def version_info(path: Path) -> dict | None:
    """The version row of a published file (None when there is no file)."""
    if not path.exists():
        return None
    with duckdb.connect(str(path), read_only=True) as con:
        cols = ", ".join(VERSION_COLUMNS)
        row = con.execute(f'select {cols} from main."{VERSION_TABLE}"').fetchone()
    return dict(zip(VERSION_COLUMNS, row, strict=True))

"""Erase a subject from the files around the warehouse: the output folder (sync files,
reports), the landing folder's non-source files (e.g. the generator's ``_truth``) and
Dagster's storage (run and event-log SQLite databases, compute logs).

Record-per-line files (``.jsonl``, ``.ndjson``, ``.csv``, ``.log``) lose the lines naming the
subject; other text files have each mention replaced by ``[erased]``; SQLite databases
have every matching text value scrubbed the same way, then ``VACUUM`` so no old page keeps
it. Binary files that are not SQLite are left alone and listed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from orchestration.privacy.matching import Subject

LINE_FILES = (".jsonl", ".ndjson", ".csv", ".log", ".txt")
SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass
class FilesPurge:
    files_changed: list[str] = field(default_factory=list)
    lines_removed: int = 0
    values_scrubbed: int = 0
    skipped_binary: list[str] = field(default_factory=list)


def _scrub_sqlite(path: Path, subject: Subject, result: FilesPurge) -> None:
    con = sqlite3.connect(path)
    try:
        rx = subject.matcher()
        con.create_function(
            "forget_match", 1, lambda v: int(bool(v) and bool(rx.search(str(v).lower())))
        )
        con.create_function("forget_scrub", 1, lambda v: subject.scrub(str(v)))
        changed = 0
        tables = [r[0] for r in con.execute("select name from sqlite_master where type = 'table'")]
        for table in tables:
            if table.startswith("sqlite_"):
                continue
            cols = [r[1] for r in con.execute(f'pragma table_info("{table}")')]
            for col in cols:
                cur = con.execute(
                    f'update "{table}" set "{col}" = forget_scrub("{col}") '
                    f'where typeof("{col}") = \'text\' and forget_match("{col}")'
                )
                changed += cur.rowcount
        con.commit()
        if changed:
            con.execute("vacuum")
            result.values_scrubbed += changed
            result.files_changed.append(str(path))
    finally:
        con.close()


def scrub_file(path: Path, subject: Subject, result: FilesPurge) -> None:
    """Erase ``subject`` from one file (in place, atomically)."""
    try:
        head = path.open("rb").read(16)
    except OSError:
        return
    if head == SQLITE_MAGIC:
        _scrub_sqlite(path, subject, result)
        return
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        if subject.matches(data.decode("latin-1")):
            result.skipped_binary.append(str(path))
        return
    text = data.decode("utf-8", "replace")
    if not subject.matches(text):
        return
    if path.suffix.lower() in LINE_FILES:
        lines = text.split("\n")
        kept = [line for line in lines if not subject.matches(line)]
        result.lines_removed += len(lines) - len(kept)
        new = "\n".join(kept)
    else:
        new = subject.scrub(text)
        if subject.matches(new):  # e.g. URL-encoded inside a larger token
            new = subject.scrub(new.replace("%40", "@"))
    tmp = path.with_name(f".{path.name}.forget-tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)
    result.files_changed.append(str(path))


def scrub_tree(
    root: Path, subject: Subject, result: FilesPurge, skip: tuple[Path, ...] = ()
) -> None:
    """Scrub every file under ``root`` except those under ``skip``."""
    if not root.exists():
        return
    skip_resolved = tuple(p.resolve() for p in skip)
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        resolved = path.resolve()
        if any(resolved.is_relative_to(s) for s in skip_resolved):
            continue
        if path.name.endswith((".duckdb", ".duckdb.wal")):
            continue
        scrub_file(path, subject, result)

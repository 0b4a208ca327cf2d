"""``leadhouse forget EMAIL... | --file F``: erase people (right to erasure, GDPR art. 17).

Removes each person and everything linked only to them (cookie ids and their events, user
ids, IPs inside those events) from every warehouse table, the landing files (manifest kept
consistent), the output folder and Dagster's storage; queues a deletion in every CRM a sync
wrote them to; keeps salted-hash tombstones so re-ingestion never brings them back. The
emails are never printed: the summary shows counts and a short reference per request.
Exit status: 0 done, 2 nothing to do / bad input, 1 failed (nothing committed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.config import settings


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("emails", nargs="*", metavar="EMAIL", help="email(s) of the people")
    parser.add_argument(
        "--file", type=Path, help="a file with one email a line (# comments allowed)"
    )


def _emails(args: argparse.Namespace) -> list[str]:
    emails = list(args.emails)
    if args.file:
        for line in args.file.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                emails.append(line)
    return sorted({e.strip().lower() for e in emails if "@" in e})


def run(args: argparse.Namespace) -> int:
    from orchestration.privacy.forget import dagster_home_from_env, forget
    from orchestration.resources import require_engine

    require_engine(
        "leadhouse forget",
        "duckdb",
        why="the erasure, its tombstones and the file compaction are written for the DuckDB file",
    )

    emails = _emails(args)
    if not emails:
        print("error: give at least one email (arguments or --file)", file=sys.stderr)
        return 2
    cfg = settings()
    if not cfg.warehouse_path.exists():
        print(f"error: no warehouse at {cfg.warehouse_path}", file=sys.stderr)
        return 2
    try:
        report = forget(
            emails,
            warehouse=cfg.warehouse_path,
            landing=cfg.landing_dir,
            output=cfg.output_dir,
            dagster_home=dagster_home_from_env(),
        )
    except Exception as exc:  # noqa: BLE001 - one clear line, nothing committed
        print(f"error: forget failed, nothing was erased: {type(exc).__name__}: {exc}")
        return 1
    ids = report.identifiers
    print(f"forget {report.request_id}: {report.subjects} person(s)")
    print(
        f"  identifiers     {ids.get('lead_ids', 0)} lead id(s), {ids.get('cookie_ids', 0)} "
        f"cookie id(s), {ids.get('user_ids', 0)} user id(s)"
    )
    print(
        f"  warehouse       {report.rows_deleted} row(s) deleted in {len(report.tables)} table(s)"
    )
    for table, n in sorted(report.tables.items()):
        print(f"    {table:<48} {n}")
    for table, n in sorted(report.scrubbed.items()):
        print(f"    {table:<48} {n} value(s) scrubbed")
    print(f"  landing files   {len(report.landing_files)} rewritten (manifest updated)")
    print(
        f"  other files     {len(report.files.files_changed)} scrubbed "
        f"({report.files.lines_removed} line(s) removed, "
        f"{report.files.values_scrubbed} stored value(s))"
    )
    for path in report.files.skipped_binary:
        print(f"    WARNING binary file not scrubbed: {path}")
    queued = ", ".join(f"{k}={v}" for k, v in sorted(report.crm_erasures.items())) or "none"
    print(f"  CRM deletions   queued: {queued} (sent by each sync's next run)")
    print(f"  tombstones      {report.tombstones_added} added")
    return 0

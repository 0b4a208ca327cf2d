"""``leadhouse ingest``: load new landing files into raw.* without Dagster, print the counts."""

from __future__ import annotations

import argparse
from pathlib import Path

from orchestration.config import SOURCES, settings
from orchestration.console import make_console, progress_bars
from orchestration.ingestion.ingest import ingest_all
from orchestration.ingestion.reconcile import reconcile
from orchestration.resources import warehouse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--landing", type=Path, help="landing folder (default: LEADHOUSE_LANDING)")
    parser.add_argument(
        "--source", action="append", choices=SOURCES, help="only this source (repeatable)"
    )


def run(args: argparse.Namespace) -> int:
    cfg = settings()
    landing = args.landing.expanduser().resolve() if args.landing else cfg.landing_dir
    with progress_bars(make_console()):
        reports = ingest_all(args.source, landing_dir=landing)
    print(f"landing {landing} -> warehouse {warehouse().location}")
    header = (
        f"{'source':<17}{'files':>6}{'skipped':>8}{'rows in':>10}{'loaded':>10}"
        f"{'dup':>8}{'quar':>8}"
    )
    print(header)
    status = 0
    for source, report in reports.items():
        s = report.summary()
        print(
            f"{source:<17}{s['files_loaded']:>6}{s['files_skipped']:>8}{s['rows_in']:>10}"
            f"{s['rows_loaded']:>10}{s['rows_duplicate']:>8}{s['rows_quarantined']:>8}"
        )
        for reason, n in s["quarantine_by_reason"].items():
            print(f"    quarantine {reason}: {n}")
        for path in s["changed_after_load"]:
            print(f"    WARN changed after load (new records loaded, the rest duplicates): {path}")
        for path in s["unsettled"]:
            print(f"    still being written (left for the next run): {path}")
        for path in s["unrecognized"]:
            print(f"    unrecognized file name (not loaded): {path}")
        for path, error in s["failed"].items():
            print(f"    FAILED {path}: {error}")
            status = 1
    with warehouse().connect(read_only=True) as con:
        for source in reports:
            result = reconcile(con, source)
            if not result.passed:
                status = 1
                for problem in result.problems:
                    print(f"    RECONCILIATION {source}: {problem}")
    print("reconciliation: " + ("ok" if status == 0 else "FAILED"))
    return status

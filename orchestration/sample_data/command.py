"""``leadhouse generate``: write a realistic synthetic landing folder."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from orchestration.config import settings
from orchestration.sample_data.scales import SCALES, GeneratorOptions


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--out", type=Path, default=None, help="landing folder (default: LEADHOUSE_LANDING)"
    )
    parser.add_argument(
        "--only-day",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="write only this day's folders (e.g. the day after the window)",
    )
    parser.add_argument(
        "--start-date",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="first day to write (with --days)",
    )
    parser.add_argument("--days", type=int, default=None, help="number of days to write")
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="last day of the 90-day window (default: yesterday, UTC, so the sample is current; "
        "pin it for reproducible output)",
    )
    parser.add_argument(
        "--dirty-rate",
        type=float,
        default=0.01,
        help="share of deliberately dirty records (default 0.01)",
    )
    parser.add_argument("--max-events-per-file", type=int, default=200_000)


def yesterday() -> date:
    """The day before today (UTC): the default last day of the sample, so that it is current."""
    return datetime.now(UTC).date() - timedelta(days=1)


def run(args: argparse.Namespace) -> int:
    from orchestration.console import make_console, progress_bars
    from orchestration.sample_data.engine import generate

    out = args.out or settings().landing_dir
    start, days = args.start_date, args.days
    if args.only_day is not None:
        start, days = args.only_day, 1
    opts = GeneratorOptions(
        dirty_rate=args.dirty_rate,
        max_events_per_file=args.max_events_per_file,
        end_date=args.end_date or yesterday(),
    )
    with progress_bars(make_console()):
        report = generate(args.scale, args.seed, out, days=days, start_date=start, options=opts)
    print(
        f"generated scale={report.scale} seed={report.seed} into {report.out} "
        f"({report.days} day(s) from {report.start_date}, window ending {report.window_end}, "
        f"{len(report.files)} files, "
        f"{report.seconds:.1f} s)"
    )
    for source, n in report.rows.items():
        print(f"  {source:<18} {n:>12,} rows")
    dirty = sum(sum(v.values()) for v in report.dirty.values())
    print(f"  dirty records: {dirty:,} (see _truth/dirty_manifest.json)")
    return 0

"""``leadhouse what-if``: replay the last N days under proposed rules beside the current ones."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.calibration.errors import CalibrationInputError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__.splitlines()[0]
    parser.add_argument(
        "--rules",
        type=Path,
        required=True,
        help="folder of proposed seed CSVs (e.g. a calibrate output)",
    )
    parser.add_argument("--days", type=int, default=28, help="days to replay (default 28)")
    parser.add_argument("--step-days", type=int, default=7, help="replay step in days (default 7)")
    parser.add_argument("--model", default=None, help="model_id to compare (default: the champion)")
    parser.add_argument(
        "--out", type=Path, default=None, help="report folder (default <output>/what_if/<stamp>)"
    )


def run(args: argparse.Namespace) -> int:
    from orchestration.calibration.what_if import what_if
    from orchestration.resources import require_engine

    require_engine("leadhouse what-if", "duckdb", why="it replays on copies of the DuckDB file")

    try:
        result = what_if(args.rules, args.days, args.step_days, args.model, args.out)
    except CalibrationInputError as exc:
        print(f"leadhouse what-if: error: {exc}", file=sys.stderr)
        return 2
    print(result.summary)
    print(f"report: {result.report}")
    return 0

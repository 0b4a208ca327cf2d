"""``leadhouse calibrate``: learn rule points from outcomes, backtest them, adopt a version.

Three modes:

* ``--input FILE.csv --id COL --outcome COL [--exclude ...] --out DIR`` — any lead table;
* ``--as-of DATE --horizon DAYS [--capacity N] [--model ID]`` — from the warehouse
  (read-only), with a champion-vs-challenger backtest;
* ``--adopt VERSION`` — copy a calibrated version's seed CSVs into ``seeds/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.calibration.errors import CalibrationInputError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__.splitlines()[0]
    csv_group = parser.add_argument_group("from a CSV")
    csv_group.add_argument("--input", type=Path, help="lead CSV with an outcome column")
    csv_group.add_argument("--id", dest="id_column", help="id column of --input")
    csv_group.add_argument(
        "--outcome", help="binary outcome column of --input (1/0, true/false, yes/no)"
    )
    csv_group.add_argument("--exclude", default="", help="comma-separated columns to ignore")
    csv_group.add_argument("--model-id", default="calibrated", help="model_id of the written rules")
    wh = parser.add_argument_group("from the warehouse")
    wh.add_argument("--as-of", help="training snapshot date (YYYY-MM-DD) or 'auto'")
    wh.add_argument("--horizon", type=int, default=90, help="outcome window in days (default 90)")
    wh.add_argument("--cut", help="backtest cut date (default: as-of + horizon)")
    wh.add_argument(
        "--capacity", type=int, default=50, help="sales capacity, leads per week (default 50)"
    )
    wh.add_argument(
        "--model", default="default", help="model_id to recalibrate (default 'default')"
    )
    parser.add_argument(
        "--out", type=Path, help="output folder (default: <output>/calibration/<version>)"
    )
    parser.add_argument("--adopt", metavar="VERSION", help="copy a calibrated version into seeds/")


def _run(args: argparse.Namespace) -> int:
    if args.adopt:
        from orchestration.calibration.seeds_io import adopt
        from orchestration.config import settings

        folder = Path(args.adopt)
        if not folder.is_dir():
            folder = settings().output_dir / "calibration" / args.adopt
        written = adopt(folder)
        print(f"adopted {folder}: " + ", ".join(p.name for p in written))
        print("run `leadhouse run` (or dbt seed + build) to score with the adopted rules")
        return 0
    if args.input:
        if not args.id_column or not args.outcome or not args.out:
            raise CalibrationInputError("--input needs --id, --outcome and --out")
        from orchestration.calibration.csv_calibration import calibrate_csv

        exclude = tuple(c.strip() for c in args.exclude.split(",") if c.strip())
        result = calibrate_csv(
            args.input, args.id_column, args.outcome, args.out, exclude, args.model_id
        )
        print(result.summary)
        print("wrote " + ", ".join(str(f) for f in result.files))
        return 0
    if args.as_of:
        from orchestration.calibration.warehouse_calibration import calibrate_warehouse

        result = calibrate_warehouse(
            as_of=args.as_of,
            horizon=args.horizon,
            cut=args.cut,
            capacity=args.capacity,
            model_id=args.model,
            out_dir=args.out,
        )
        print(result.summary)
        print(
            f"wrote version {result.version} in {result.out_dir} (adopt with: "
            f"leadhouse calibrate --adopt {result.version})"
        )
        return 0
    raise CalibrationInputError("give --input FILE.csv ..., --as-of DATE ..., or --adopt VERSION")


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except CalibrationInputError as exc:
        print(f"leadhouse calibrate: error: {exc}", file=sys.stderr)
        return 2

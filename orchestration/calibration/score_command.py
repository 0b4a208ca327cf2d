"""``leadhouse score``: score any CSV lead list with fit rules (the dbt macros' SQL)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.calibration.errors import CalibrationInputError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__.splitlines()[0]
    parser.add_argument(
        "--input",
        type=Path,
        required=True,
        help="lead CSV: the rules' attribute columns, or raw profile fields (email, job title, "
        "company size, country, ...) from which the dbt macros derive dim_leads attributes",
    )
    parser.add_argument("--id", dest="id_column", required=True, help="id column of --input")
    parser.add_argument(
        "--rules",
        type=Path,
        default=None,
        help="folder of seed CSVs (default: the project's seeds/)",
    )
    parser.add_argument(
        "--model", default=None, help="model_id (default: the champion, else the first)"
    )
    parser.add_argument("--out", type=Path, required=True, help="output CSV")
    parser.add_argument(
        "--placeholders-missing",
        action="store_true",
        default=None,
        help="treat 'N/A', 'Select', '-', 'none', ... as missing (as calibrate --input does; "
        "automatic with a calibrate --input rules folder)",
    )


def run(args: argparse.Namespace) -> int:
    from orchestration.calibration.list_scoring import describe, score_csv
    from orchestration.config import SEEDS_DIR

    try:
        result = score_csv(
            args.input,
            args.id_column,
            args.out,
            args.rules or SEEDS_DIR,
            args.model,
            placeholders_missing=args.placeholders_missing,
        )
    except CalibrationInputError as exc:
        print(f"leadhouse score: error: {exc}", file=sys.stderr)
        return 2
    print(describe(result))
    return 0

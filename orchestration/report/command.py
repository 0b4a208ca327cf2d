"""``leadhouse report``: write the self-contained HTML report from the warehouse."""

from __future__ import annotations

import argparse
from pathlib import Path


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, default=None, help="where to write (default: <output>/report.html)"
    )


def run(args: argparse.Namespace) -> int:
    from orchestration.console import LeadhouseError
    from orchestration.report.build import write_report
    from orchestration.resources import WAREHOUSE_ERRORS, missing_relation

    try:
        path = write_report(args.out)
    except WAREHOUSE_ERRORS as exc:
        if not missing_relation(exc):
            raise
        raise LeadhouseError(
            f"the warehouse has no analytics schema yet ({str(exc).splitlines()[0]})",
            "run `make run` (or leadhouse run) to build it",
        ) from exc
    print(f"Report: {path}")
    return 0

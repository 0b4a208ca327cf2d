"""``leadhouse score-as-of DATE``: the scores as they were then, in schema replay_<date>."""

from __future__ import annotations

import argparse
import sys

from orchestration.transform.replay import parse_as_of, score_as_of, summary


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "as_of",
        metavar="DATE",
        help="YYYY-MM-DD (the end of that day) or an ISO timestamp (UTC)",
    )
    parser.add_argument(
        "--schema", default=None, help="schema to write (default replay_<YYYYMMDD>[_<HHMMSS>])"
    )


def run(args: argparse.Namespace) -> int:
    try:
        as_of = parse_as_of(args.as_of)
        replay = score_as_of(as_of, schema=args.schema)
    except (ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"leadhouse score-as-of: error: {exc}", file=sys.stderr)
        return 2
    print(summary(replay))
    return 0

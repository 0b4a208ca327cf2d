"""The ``leadhouse`` command.

Each sub-command lives in the module of its area and exposes two functions:
``configure(parser)`` adds its arguments, ``run(args) -> int`` does the work.
Modules are imported lazily so ``leadhouse --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

from orchestration import help_texts

#: sub-command -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("orchestration.sample_data.command", "write a realistic synthetic landing folder"),
    "ingest": ("orchestration.ingestion.command", "load new landing files into raw.*"),
    "run": ("orchestration.run_command", "materialize every asset through Dagster and summarise"),
    "summary": ("orchestration.summary", "print rows per layer, quarantine, stages, tiers, checks"),
    "sync": ("orchestration.activation.command", "run (or dry-run) a reverse-ETL sync"),
    "calibrate": ("orchestration.calibration.calibrate_command", "learn rule points from outcomes"),
    "what-if": ("orchestration.calibration.what_if_command", "replay recent days under new rules"),
    "score": ("orchestration.calibration.score_command", "score a CSV lead list with the rules"),
    "score-as-of": ("orchestration.transform.score_as_of_command", "replay scoring as of a date"),
    "publish": ("orchestration.publish.command", "show or roll back the BI analytics database"),
    "report": ("orchestration.report.command", "write the HTML report (funnel, scores, quality)"),
    "forget": ("orchestration.privacy.command", "erase people everywhere (right to erasure)"),
    "collect": ("orchestration.collect.command", "serve the HTTP collector (landing files)"),
}


START_HERE = """where to start:
  make run                      generate a sample, run everything, write data/output/report.html
  leadhouse run                 the same on your own landing folder (LEADHOUSE_LANDING)
  leadhouse report              rewrite the HTML report from the warehouse
  leadhouse <command> --help    what a command does, with an example"""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadhouse",
        description="Leadhouse: warehouse-native lead scoring (Dagster + dbt + DuckDB).",
        epilog=START_HERE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text)
        if only is None or only == name:
            importlib.import_module(module_name).configure(sub)
            help_texts.apply(name, sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(only=chosen if chosen in COMMANDS else None)
    args = parser.parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command][0])
    from orchestration.console import run_friendly

    return run_friendly(module.run, args)


def entry() -> None:
    """The ``leadhouse`` console script: :func:`main`, then exit without interpreter teardown.

    DuckDB 2.0's bindings print "nanobind: leaked ..." warnings when the interpreter tears
    down after a Dagster run (objects still referenced from Dagster's event machinery); every
    connection is closed and every output flushed by then, so the process exits directly.
    """
    rc = main()
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(rc if isinstance(rc, int) else 0)


if __name__ == "__main__":
    entry()

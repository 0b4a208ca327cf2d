"""Ingestion alone against its floor, in one run on the same files:
``python -m benchmarks.ingest_vs_floor LANDING [--source web_events] [--repeat 1]``.

``leadhouse ingest`` (every source, or ``--source``) into a fresh DuckDB warehouse, then
DuckDB's own readers on the same files (``benchmarks.run.ingest_floor``: typed, deduplicated),
each timed as in ``make bench`` (wall, CPU of the process and its threads). The landing folder is
only read. Prints one line per run and the ratios; nothing is written to ``benchmarks/results``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from functools import partial
from pathlib import Path

from benchmarks.run import ingest_floor, measure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("landing", type=Path)
    parser.add_argument("--source", action="append", help="only these sources (default: all)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    landing = args.landing.resolve()
    os.environ["LEADHOUSE_LANDING"] = str(landing)
    os.environ.setdefault("LEADHOUSE_SETTLE_SECONDS", "0")

    from orchestration.ingestion.ingest import ingest_all

    for run in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
            wh = Path(tmp) / "wh.duckdb"
            os.environ["LEADHOUSE_WAREHOUSE"] = str(wh)
            wall, cpu, reports = measure(
                partial(ingest_all, args.source, landing_dir=landing, warehouse_path=wh)
            )
            rows = sum(r.rows_in for r in reports.values())
            f_wall, f_cpu, f_rows = measure(
                partial(ingest_floor, landing, Path(tmp) / "floor.duckdb", args.source)
            )
        print(
            f"run {run + 1}: ingest {wall:6.1f} s wall {cpu:6.1f} s cpu ({rows:,} rows) | "
            f"floor {f_wall:6.1f} s wall {f_cpu:6.1f} s cpu ({f_rows:,} rows) | "
            f"ratio wall {wall / f_wall:.2f}x cpu {cpu / f_cpu:.2f}x",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

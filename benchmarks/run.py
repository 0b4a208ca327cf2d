"""Scale benchmark: ``python -m benchmarks.run [--scale small] [--seed 42]`` (``make bench``).

Times each phase of the main flow on its own warehouse under ``data/bench/<scale>/`` —
generate, ingest (rows/s), re-ingest (all skipped), ``dbt build``, the quality suites — with
the peak RSS of each phase, and appends one row per phase to ``benchmarks/results.md``.
Nothing here is asserted: speed and memory are measured, not tested.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from orchestration.config import REPO_ROOT

RESULTS = Path(__file__).with_name("results.md")


def _peak_mb() -> float:
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(self_kb, child_kb) / 1024


def _phase(name: str, fn, rows: list[tuple]) -> object:
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    result = fn()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    rows.append([name, wall, cpu, _peak_mb(), result if isinstance(result, str) else ""])
    print(f"{name:<24} {wall:8.1f} s wall", flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default=os.environ.get("BENCH_SCALE", "small"))
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    base = REPO_ROOT / "data" / "bench" / args.scale
    landing, warehouse = base / "landing", base / "wh" / "leadhouse.duckdb"
    os.environ.update(
        LEADHOUSE_LANDING=str(landing),
        LEADHOUSE_WAREHOUSE=str(warehouse),
        LEADHOUSE_OUTPUT=str(base / "out"),
    )
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    if warehouse.exists():
        warehouse.unlink()

    from orchestration.ingestion.ingest import ingest_all
    from orchestration.quality.runner import run_check
    from orchestration.quality.suites import all_checks
    from orchestration.quality.thresholds import load_thresholds
    from orchestration.sample_data.engine import generate

    rows: list[list] = []
    stamp = landing / "_truth" / f".generated-{args.scale}-{args.seed}"
    if not stamp.exists():
        _phase(
            "generate",
            lambda: generate(args.scale, args.seed, landing) and stamp.touch() or "",
            rows,
        )

    def ingest() -> str:
        reports = ingest_all()
        n = sum(r.rows_in for r in reports.values())
        return f"{n:,} rows in"

    t0 = time.perf_counter()
    note = _phase("ingest", ingest, rows)
    n_rows = int(note.split()[0].replace(",", ""))
    rows[-1][4] = f"{n_rows:,} rows, {n_rows / (time.perf_counter() - t0):,.0f} rows/s"
    _phase("re-ingest (all skipped)", lambda: ingest_all() and "", rows)

    env = {**os.environ, "DBT_PROFILES_DIR": str(REPO_ROOT / "dbt_project")}
    dbt = str(Path(sys.executable).with_name("dbt"))

    def dbt_build() -> str:
        subprocess.run(
            [
                dbt,
                "build",
                "--exclude-resource-type",
                "unit_test",
                "--target-path",
                str(base / "target"),
                "--log-path",
                str(base / "logs"),
                "--quiet",
            ],
            cwd=REPO_ROOT,
            env=env,
            check=True,
        )
        return "seeds, models, snapshots and dbt tests"

    _phase("dbt build", dbt_build, rows)

    def checks() -> str:
        outcomes = [run_check(spec, warehouse) for spec in all_checks(load_thresholds())]
        failed = [o for o in outcomes if not o.passed]
        return f"{len(outcomes)} GX checks, {len(failed)} failed"

    _phase("quality checks", checks, rows)

    header = "| date | scale | phase | wall s | cpu s (this process) | peak RSS MB | note |\n|---|---|---|---|---|---|---|\n"
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Benchmark results\n\nAppended by `make bench` (benchmarks/run.py). "
            f"Machine: {platform.machine()}, {os.cpu_count()} cores.\n\n" + header
        )
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    with RESULTS.open("a") as fh:
        for name, wall, cpu, rss, note in rows:
            fh.write(
                f"| {day} | {args.scale} | {name} | {wall:.1f} | {cpu:.1f} | {rss:.0f} | {note} |\n"
            )
    print(f"appended to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Per-node profile of the hourly dbt build: ``python -m benchmarks.hourly_profile``.

``[--scale small] [--rebuild] [--top N]``.

Builds, once, a warehouse of the cached sample (``data/bench/<scale>/landing``, as ``make bench``
generates it) with its newest day held back, then drops that day in and ingests it; that state is
kept as ``data/bench/<scale>-hourly/base.duckdb``. Each run then copies it and times the hourly
job's ``dbt build`` (no snapshots, tests on the newest load) on the copy, printing every model's
time from ``run_results.json`` (slowest first) and the totals. ``--rebuild`` rebuilds the base
(needed after a change of a model's materialization). Measured, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time

from benchmarks.run import dbt_build, hold_back_newest_day
from orchestration.config import REPO_ROOT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the base warehouse")
    parser.add_argument("--top", type=int, default=25, help="how many nodes to list")
    args = parser.parse_args(argv)

    landing = REPO_ROOT / "data" / "bench" / args.scale / "landing"
    if not landing.exists():
        parser.error(f"no cached sample in {landing}: run `make bench SCALE={args.scale}` first")
    base_dir = REPO_ROOT / "data" / "bench" / f"{args.scale}-hourly"
    base, work = base_dir / "base.duckdb", base_dir / "wh" / "leadhouse.duckdb"
    os.environ["LEADHOUSE_LANDING"] = str(landing)
    os.environ["LEADHOUSE_OUTPUT"] = str(base_dir / "out")
    from orchestration.transform.dbt_args import HOURLY_TEST_SCOPE, SNAPSHOTS_SELECT

    if args.rebuild or not base.exists():
        from orchestration.ingestion.ingest import ingest_all

        shutil.rmtree(base_dir, ignore_errors=True)
        base_dir.mkdir(parents=True)
        os.environ["LEADHOUSE_WAREHOUSE"] = str(base)
        moves = hold_back_newest_day(landing, base_dir / "holdback")
        try:
            ingest_all(landing_dir=landing, warehouse_path=base)
            t0 = time.perf_counter()
            dbt_build(base, base_dir, "--exclude-resource-type", "test")
            print(f"full build (no tests): {time.perf_counter() - t0:.1f} s")
        finally:
            for original, moved in moves:
                shutil.move(str(moved), str(original))
        ingest_all(landing_dir=landing, warehouse_path=base)

    work.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(base, work)
    t0 = time.perf_counter()
    dbt_build(work, base_dir, "--exclude", SNAPSHOTS_SELECT, test_scope=HOURLY_TEST_SCOPE)
    wall = time.perf_counter() - t0
    results = json.loads((base_dir / "target" / "run_results.json").read_text())["results"]
    models = [r for r in results if r["unique_id"].startswith(("model.", "seed."))]
    tests = [r for r in results if r["unique_id"].startswith("test.")]
    model_s, test_s = (sum(r["execution_time"] for r in rs) for rs in (models, tests))
    print(
        f"hourly dbt build: {wall:.1f} s wall; models {model_s:.1f} s ({len(models)}), "
        f"tests {test_s:.1f} s ({len(tests)})"
    )
    for r in sorted(models, key=lambda r: -r["execution_time"])[: args.top]:
        print(f"{r['execution_time']:6.2f} s {r['unique_id'].split('.', 2)[-1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

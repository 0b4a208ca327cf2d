"""Per-engine build time: ``python -m benchmarks.engines --scale small --engines duckdb,postgres``
(``make bench-engines``).

For one generated sample (``data/bench/engines/<scale>/landing``) and each engine asked for:

- **ingest**: the landing files into ``raw.*`` of that engine (DuckDB: the warehouse file;
  PostgreSQL: ``COPY``), by the pipeline's own ingestion. Spark has no ingestion: its raw tables
  are the DuckDB ones copied to Parquet (not timed as ingestion);
- **dbt build**: the production command of the main job (``dbt build`` of every node but the unit
  tests, ``orchestration/transform/dbt_args.py``), every engine scored at the same instant.

PostgreSQL is the server of ``LEADHOUSE_PG_HOST``/``_PORT``/``_USER``/``_PASSWORD``; the bench
drops and creates its own database there (``--pg-database``, default ``leadhouse_bench``), so
every measure starts empty. Spark is dbt-spark's local session (``LEADHOUSE_SPARK_*``).

Results go to ``benchmarks/results/engines-<scale>-<date>.json`` and ``.md``, with the machine,
the commit and the load average (``/proc/loadavg``) before and after each phase: the machine
may be shared. Nothing is asserted: speed is measured, never tested.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.run import _git, _machine
from orchestration.config import REPO_ROOT

RESULTS_DIR = Path(__file__).with_name("results")
ENGINES = ("duckdb", "postgres", "spark")


def _load() -> str:
    """The 1, 5 and 15 minute load averages."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def _timed(results: list[dict], engine: str, phase: str, fn, note: str = "") -> object:  # noqa: ANN001
    before = _load()
    started = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - started
    results.append(
        {
            "engine": engine,
            "phase": phase,
            "seconds": round(seconds, 1),
            "load_before": before,
            "load_after": _load(),
            "note": note or (value if isinstance(value, str) else ""),
        }
    )
    print(f"{engine:<9} {phase:<10} {seconds:8.1f} s   load {before} -> {_load()}", flush=True)
    return value


def _fresh_pg_database(name: str) -> None:
    import psycopg

    from orchestration.config import postgres_params, secret

    pg = postgres_params()
    with psycopg.connect(
        host=str(pg["host"]),
        port=int(pg["port"]),
        user=str(pg["user"]),
        password=secret("LEADHOUSE_PG_PASSWORD"),
        dbname="postgres",
        autocommit=True,
    ) as con:
        con.execute(f'drop database if exists "{name}" with (force)')
        con.execute(f'create database "{name}"')


def _nodes(result: object) -> str:
    """What a dbt build ran: nodes per status (from its run_results.json)."""
    counts = result.status_counts()  # type: ignore[attr-defined]
    return f"{sum(counts.values())} nodes: " + ", ".join(
        f"{n} {s}" for s, n in sorted(counts.items())
    )


def _env(**values: str) -> None:
    os.environ.update(values)


def run(scale: str, seed: int, engines: list[str], pg_database: str, workdir: Path) -> dict:
    from orchestration.ingestion.ingest import ingest_all
    from orchestration.sample_data.command import yesterday
    from orchestration.sample_data.engine import generate
    from orchestration.sample_data.scales import GeneratorOptions
    from orchestration.transform.dbt_args import build_args
    from orchestration.transform.dbt_runner import run_dbt

    landing = workdir / "landing"
    if not (landing / "_truth").exists():
        shutil.rmtree(landing, ignore_errors=True)
        generate(scale, seed, landing, options=GeneratorOptions(end_date=yesterday()))
    as_of = datetime.now(UTC).replace(microsecond=0, tzinfo=None).isoformat(sep=" ")
    # every engine scored at the same instant, into its production schemas
    args = build_args(dbt_vars={"as_of": as_of, "replay_in_place": True})
    duck = workdir / "duckdb" / "leadhouse.duckdb"
    results: list[dict] = []
    _env(LEADHOUSE_LANDING=str(landing), LEADHOUSE_SETTLE_SECONDS="0")

    def rows(reports: dict) -> str:
        return f"{sum(r.rows_loaded for r in reports.values()):,} rows loaded"

    if "duckdb" in engines or "spark" in engines:
        shutil.rmtree(duck.parent, ignore_errors=True)
        duck.parent.mkdir(parents=True)
        _env(LEADHOUSE_TARGET="duckdb", LEADHOUSE_WAREHOUSE=str(duck))
        _timed(results, "duckdb", "ingest", lambda: rows(ingest_all(warehouse_path=duck)))
    if "duckdb" in engines:
        _timed(
            results, "duckdb", "dbt build", lambda: _nodes(run_dbt(args, workdir / "duckdb", duck))
        )
    if "postgres" in engines:
        _fresh_pg_database(pg_database)
        _env(LEADHOUSE_TARGET="postgres", LEADHOUSE_PG_DATABASE=pg_database)
        _timed(results, "postgres", "ingest", lambda: rows(ingest_all()))
        pg_env = {"LEADHOUSE_DBT_TARGET": "postgres"}
        _timed(
            results,
            "postgres",
            "dbt build",
            lambda: _nodes(run_dbt(args, workdir / "postgres", env=pg_env)),
        )
    if "spark" in engines:
        sys.path.insert(0, str(REPO_ROOT))
        from tests.integration.engines.raw_spark_test_helper import (
            copy_raw_to_spark_in_subprocess,
        )

        spark_dir = workdir / "spark"
        shutil.rmtree(spark_dir, ignore_errors=True)
        spark_dir.mkdir(parents=True)
        _timed(
            results,
            "spark",
            "raw copy",
            lambda: copy_raw_to_spark_in_subprocess(duck, spark_dir) and "DuckDB raw to Parquet",
        )
        _env(LEADHOUSE_TARGET="duckdb", LEADHOUSE_SPARK_DIR=str(spark_dir))
        _timed(
            results,
            "spark",
            "dbt build",
            lambda: _nodes(run_dbt(args, spark_dir, env={"LEADHOUSE_DBT_TARGET": "spark"})),
        )
    return {
        "scale": scale,
        "seed": seed,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "machine": _machine(),
        "dbt_threads": os.environ.get("LEADHOUSE_DBT_THREADS", "1"),
        "command": f"python -m benchmarks.engines --scale {scale} --engines {','.join(engines)}",
        "phases": results,
    }


def markdown(result: dict) -> str:
    lines = [
        f"# Build time per engine: `{result['scale']}` (seed {result['seed']})",
        "",
        f"{result['date']}, commit {result['commit']}, {result['machine']}, "
        f"dbt threads {result['dbt_threads']}. Command: `{result['command']}`.",
        "",
        "| engine | phase | seconds | load before | load after | note |",
        "| --- | --- | ---: | --- | --- | --- |",
    ]
    for p in result["phases"]:
        lines.append(
            f"| {p['engine']} | {p['phase']} | {p['seconds']:.1f} | {p['load_before']} | "
            f"{p['load_after']} | {p['note']} |"
        )
    lines += [
        "",
        "The load average is the machine's (other processes included): a phase measured under "
        "a load above the core count ran slower than on a quiet machine.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--engines", default="duckdb,postgres", help="comma-separated: " + ", ".join(ENGINES)
    )
    parser.add_argument("--pg-database", default="leadhouse_bench")
    parser.add_argument("--no-save", action="store_true", help="print, do not write results/")
    args = parser.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    workdir = REPO_ROOT / "data" / "bench" / "engines" / args.scale
    workdir.mkdir(parents=True, exist_ok=True)
    result = run(args.scale, args.seed, engines, args.pg_database, workdir)
    text = markdown(result)
    print(text)
    if not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        stem = f"engines-{args.scale}-{datetime.now(UTC):%Y-%m-%d}"
        (RESULTS_DIR / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
        (RESULTS_DIR / f"{stem}.md").write_text(text)
        print(f"wrote {RESULTS_DIR / stem}.json and .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

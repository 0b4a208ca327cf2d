"""Scale benchmark: ``python -m benchmarks.run [--scale small] [--seed 42]`` (``make bench``).

Runs the main flow phase by phase on its own warehouse under ``data/bench/<scale>/`` and, in
the same run and on the same files, the floor each phase is judged against:

- **ingest** vs DuckDB's own readers (``read_ndjson_objects`` / ``read_json`` / ``read_csv``)
  loading the same landing files into typed tables deduplicated on the same keys;
- **dbt build** vs the models' compiled SQL executed directly through the duckdb API in
  dependency order on a copy of the same raw warehouse (no dbt, no tests);
- **hourly path**: the newest day of every source is held back, the rest is built, then that
  day is dropped in and ingest + incremental build + checks run: its share of the full build.

Each phase records wall time, CPU time (this process and its children), peak RSS and rows/s.
Results go to ``benchmarks/results/<scale>-<date>.json`` and ``.md`` with the machine and the
commit. Nothing here is asserted: speed and memory are measured, never tested.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.config import REPO_ROOT

RESULTS_DIR = Path(__file__).with_name("results")


@dataclass
class Phase:
    name: str
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    rows: int | None = None
    floor: str | None = None
    note: str = ""

    @property
    def rows_per_s(self) -> float | None:
        return self.rows / self.wall_s if self.rows and self.wall_s else None


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _peak_mb() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(me, kids) / 1024


def timed(phases: list[Phase], name: str, fn: Callable[[], object], **kw: object) -> object:
    """Run ``fn`` as phase ``name``; an int result is its row count, a str its note."""
    cpu0, t0 = _cpu(), time.perf_counter()
    result = fn()
    phase = Phase(name, time.perf_counter() - t0, _cpu() - cpu0, _peak_mb(), **kw)
    if isinstance(result, int):
        phase.rows = result
    elif isinstance(result, str):
        phase.note = result
    phases.append(phase)
    rate = f", {phase.rows_per_s:,.0f} rows/s" if phase.rows_per_s else ""
    print(f"{name:<32} {phase.wall_s:8.1f} s wall{rate}", flush=True)
    return result


# --- floors ---------------------------------------------------------------------------------

#: per source: (file glob, DuckDB reader expression over $files, key columns)
FLOOR_READERS = {
    "web_events": (
        "segment-*.jsonl",
        "select json->>'messageId' as message_id, json->>'type' as event_type, "
        "json->>'anonymousId' as anonymous_id, json->>'userId' as user_id, "
        "try_cast(coalesce(json->>'timestamp', json->>'originalTimestamp') as timestamptz) "
        "as event_at, try_cast(json->>'receivedAt' as timestamptz) as received_at, json "
        "from read_ndjson_objects($files, ignore_errors = true)",
        "message_id",
    ),
    "email_events": (
        "sendgrid-*.json",
        "select 'sendgrid' as provider, sg_event_id as provider_event_id, event, email, "
        "to_timestamp(timestamp) as occurred_at "
        "from read_json($files, format = 'array', union_by_name = true, ignore_errors = true)",
        "provider, provider_event_id",
    ),
    "form_submissions": (
        "hubspot__*.jsonl",
        "select sha256(filename || json::varchar) as submission_id, "
        "json->>'submittedAt' as submitted_at, json "
        "from read_ndjson_objects($files, filename = true, ignore_errors = true)",
        "submission_id",
    ),
    "lead_lists": (
        "*__*.csv",
        "select * from read_csv($files, union_by_name = true, filename = true, "
        "all_varchar = true, ignore_errors = true)",
        "filename, email",
    ),
}


def ingest_floor(landing: Path, floor_db: Path) -> int:
    """DuckDB's readers on the same landing files, typed and deduplicated on the source key."""
    import duckdb

    rows = 0
    with duckdb.connect(str(floor_db)) as con:
        for source, (pattern, reader, key) in FLOOR_READERS.items():
            files = sorted(str(p) for p in (landing / source).glob(f"dt=*/{pattern}"))
            if not files:
                continue
            sql = reader.replace("$files", "[" + ", ".join(f"'{f}'" for f in files) + "]")
            con.execute(
                f"create or replace table {source} as select distinct on ({key}) * from ({sql})"
            )
            rows += con.execute(f"select count(*) from {source}").fetchone()[0]
    return rows


def build_floor(manifest_path: Path, warehouse_copy: Path, built: Path) -> int:
    """Every model's compiled SQL, in dependency order, straight through the duckdb API.

    Snapshots are not part of the floor: their tables are copied from the measured build
    (``built``) before the clock starts, for the models that read them."""
    import duckdb

    manifest = json.loads(manifest_path.read_text())
    nodes = manifest["nodes"]
    models = {
        uid: n
        for uid, n in nodes.items()
        if n["resource_type"] in ("model", "seed")
        and n["config"].get("materialized") != "ephemeral"
    }
    order: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in models:
            return
        seen.add(uid)
        for dep in models[uid]["depends_on"].get("nodes", []):
            visit(dep)
        order.append(uid)

    for uid in sorted(models):
        visit(uid)
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute(f"attach '{built}' as built (read_only)")
        for node in nodes.values():
            if node["resource_type"] == "snapshot":
                con.execute(f"create schema if not exists {node['schema']}")
                relation = f"{node['schema']}.{node['alias']}"
                con.execute(f"create or replace table {relation} as select * from built.{relation}")
        con.execute("detach built")
        count = 0
        for uid in order:
            node = models[uid]
            if node["resource_type"] == "seed":
                continue  # seeds are already in the copy (loaded by the build being measured)
            relation = f"{node['schema']}.{node['alias']}"
            con.execute(f"create schema if not exists {node['schema']}")
            kind = "view" if node["config"].get("materialized") == "view" else "table"
            con.execute(f"drop table if exists {relation}")
            con.execute(f"drop view if exists {relation}")
            con.execute(f"create {kind} {relation} as {node['compiled_code']}")
            count += 1
    return count


# --- the benchmark --------------------------------------------------------------------------


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _machine() -> str:
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    python = platform.python_version()
    return f"{platform.machine()}, {os.cpu_count()} cores, {mem_gib:.0f} GiB, Python {python}"


def _hold_back_last_day(landing: Path, holdback: Path) -> list[tuple[Path, Path]]:
    """Move the newest ``dt=`` folder of every source aside; returns (from, to) pairs."""
    moves = []
    for source in sorted(p for p in landing.iterdir() if p.is_dir() and not p.name.startswith("_")):
        days = sorted(p for p in source.iterdir() if p.name.startswith("dt="))
        if len(days) > 1:
            target = holdback / source.name / days[-1].name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(days[-1]), str(target))
            moves.append((days[-1], target))
    return moves


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
    for folder in ("wh", "floor", "target", "target_floor"):
        shutil.rmtree(base / folder, ignore_errors=True)
    warehouse.parent.mkdir(parents=True, exist_ok=True)

    from orchestration.ingestion.ingest import ingest_all
    from orchestration.quality.runner import run_check
    from orchestration.quality.suites import all_checks
    from orchestration.quality.thresholds import load_thresholds
    from orchestration.sample_data.engine import generate
    from orchestration.transform.dbt_args import HOURLY_TEST_SCOPE, SNAPSHOTS_SELECT, TEST_SCOPE_ENV

    phases: list[Phase] = []
    stamp = landing / "_truth" / f".generated-{args.scale}-{args.seed}"
    if not stamp.exists():
        shutil.rmtree(landing, ignore_errors=True)
        timed(phases, "generate", lambda: generate(args.scale, args.seed, landing) and "")
        stamp.touch()

    t0 = time.perf_counter()
    load = subprocess.run(
        [sys.executable, "-c", "import orchestration.definitions"], cwd=REPO_ROOT, check=True
    )
    del load
    phases.append(Phase("code location load", time.perf_counter() - t0, 0.0, _peak_mb()))

    env = {**os.environ, "DBT_PROFILES_DIR": str(REPO_ROOT / "dbt_project")}
    dbt = str(Path(sys.executable).with_name("dbt"))

    def dbt_build(*extra: str, test_scope: str = "full") -> str:
        subprocess.run(
            [dbt, "build", "--exclude-resource-type", "unit_test", *extra,
             "--target-path", str(base / "target"), "--log-path", str(base / "logs"), "--quiet"],
            cwd=REPO_ROOT, env={**env, TEST_SCOPE_ENV: test_scope}, check=True,
        )  # fmt: skip
        return "seeds, models, snapshots and dbt tests"

    def checks() -> str:
        outcomes = [run_check(spec, warehouse) for spec in all_checks(load_thresholds())]
        return f"{len(outcomes)} GX checks, {sum(not o.passed for o in outcomes)} failed"

    holdback = base / "holdback"
    moves = _hold_back_last_day(landing, holdback)
    try:
        rows = timed(
            phases,
            "ingest",
            lambda: sum(r.rows_in for r in ingest_all().values()),
            floor="ingest floor",
        )
        timed(phases, "ingest floor", lambda: ingest_floor(landing, base / "wh" / "floor.duckdb"))
        phases[-1].rows = rows
        timed(phases, "re-ingest (all skipped)", lambda: ingest_all() and "")
        # the floor starts from the same raw (+ seeds) the build starts from; same file name,
        # because compiled SQL names the catalog
        seeded = base / "floor" / warehouse.name
        seeded.parent.mkdir(exist_ok=True)
        shutil.copy(warehouse, seeded)
        timed(phases, "dbt build (full)", dbt_build, floor="dbt SQL floor")
        subprocess.run(
            [dbt, "seed", "--target-path", str(base / "target_floor"), "--quiet"],
            cwd=REPO_ROOT, env={**env, "LEADHOUSE_WAREHOUSE": str(seeded)}, check=True,
        )  # fmt: skip
        timed(
            phases,
            "dbt SQL floor",
            lambda: f"{build_floor(base / 'target' / 'manifest.json', seeded, warehouse)} models",
        )
        timed(phases, "quality checks", checks)
    finally:
        for original, moved in moves:
            shutil.move(str(moved), str(original))
        shutil.rmtree(holdback, ignore_errors=True)

    if moves:
        timed(
            phases,
            "hourly: ingest one new day",
            lambda: sum(r.rows_in for r in ingest_all().values()),
        )
        # what the hourly job (orchestration/transform/defs.py) builds: everything but the
        # snapshots and the marts built from them (nightly)
        timed(
            phases,
            "hourly: dbt build (incremental)",
            lambda: (
                dbt_build("--exclude", SNAPSHOTS_SELECT, test_scope=HOURLY_TEST_SCOPE)
                and "models and dbt tests (newest load), no snapshots"
            ),
        )
        hourly_nodes = slowest_nodes(base / "target" / "run_results.json")
        timed(phases, "hourly: quality checks", checks)

    return report(args.scale, phases, hourly_nodes if moves else [])


def slowest_nodes(run_results: Path, count: int = 12) -> list[str]:
    """The ``count`` slowest nodes of a dbt run, and the time of its tests and models."""
    results = json.loads(run_results.read_text())["results"]
    total = {
        kind: sum(r["execution_time"] for r in results if r["unique_id"].startswith(kind + "."))
        for kind in ("model", "test")
    }
    lines = [
        f"{len(results)} nodes; models {total['model']:.1f} s, tests {total['test']:.1f} s "
        f"({sum(r['unique_id'].startswith('test.') for r in results)} tests)"
    ]
    for r in sorted(results, key=lambda r: -r["execution_time"])[:count]:
        lines.append(f"{r['execution_time']:.1f} s {r['unique_id'].split('.', 2)[-1]}")
    return lines


def report(scale: str, phases: list[Phase], hourly_nodes: list[str] | None = None) -> int:
    by_name = {p.name: p for p in phases}
    full = sum(
        by_name[n].wall_s for n in ("ingest", "dbt build (full)", "quality checks") if n in by_name
    )
    hourly = sum(p.wall_s for p in phases if p.name.startswith("hourly:"))
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    summary = {
        "date": day,
        "scale": scale,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "machine": _machine(),
        "phases": [{**asdict(p), "rows_per_s": p.rows_per_s} for p in phases],
        "ratios": {
            p.name: round(p.wall_s / by_name[p.floor].wall_s, 2)
            for p in phases
            if p.floor and p.floor in by_name and by_name[p.floor].wall_s
        },
        "full_build_s": round(full, 1),
        "checks_share_of_build": round(by_name["quality checks"].wall_s / full, 3)
        if full
        else None,
        "hourly_share_of_full": round(hourly / full, 3) if hourly and full else None,
        "hourly_dbt_nodes": hourly_nodes or [],
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    stem = RESULTS_DIR / f"{scale}-{day}"
    stem.with_suffix(".json").write_text(json.dumps(summary, indent=2) + "\n")
    lines = [
        f"# `{scale}` on {day} (commit {summary['commit']})",
        "",
        f"Machine: {summary['machine']}.",
        "",
        "| phase | wall s | cpu s | peak RSS MB | rows/s | vs floor |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for p in phases:
        ratio = summary["ratios"].get(p.name)
        rate = f"{p.rows_per_s:,.0f}" if p.rows_per_s else ""
        lines.append(
            f"| {p.name} | {p.wall_s:.1f} | {p.cpu_s:.1f} | {p.peak_rss_mb:,.0f} | {rate} | "
            f"{f'{ratio:.2f}×' if ratio else p.note} |"
        )
    if full:
        share = summary["checks_share_of_build"]
        lines += [
            "",
            f"Full build (ingest + dbt + checks): {full:.1f} s; checks {share:.0%} of it.",
        ]
    if hourly and full:
        share = summary["hourly_share_of_full"]
        lines.append(f"Hourly path on one new day: {hourly:.1f} s = {share:.0%} of the full build.")
    if hourly_nodes:
        lines += ["", f"Hourly dbt build (run_results.json): {hourly_nodes[0]}; slowest nodes:", ""]
        lines += [f"- {node}" for node in hourly_nodes[1:]]
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    print(f"written {stem}.json and {stem}.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Scale benchmark: ``python -m benchmarks.run [--scale small] [--seed 42]`` (``make bench``).

Runs the main flow phase by phase on its own warehouse under ``data/bench/<scale>/`` and, in
the same run and on the same files, the floor each phase is judged against:

- **ingest** vs DuckDB's own readers (``read_ndjson_objects`` / ``read_json`` / ``read_csv``)
  loading the same landing files into typed tables deduplicated on the same keys;
- **dbt build** vs the models' compiled SQL executed directly through the duckdb API in
  dependency order on a copy of the same raw warehouse (no dbt, no tests);
- **hourly path**: the newest day of every source is held back, the rest is built, then that
  day is dropped in and ingest + incremental build + checks run: its share of the full build;
- **syncs** (every shipped reverse-ETL sync, a dry run when its CRM token is not set) and
  **calibrate** (the warehouse calibration, ``leadhouse calibrate --as-of auto``) on the built
  warehouse; the calibration's champion-vs-challenger backtest is recorded with its timings.

Growth from the previous scale (``tiny`` -> ``small`` -> ``medium`` -> ``large``) is reported per
phase as seconds per landing row here over seconds per landing row there (flat = 1.0), from the
newest result file of that scale. The result files are rewritten after every phase, so a run
stopped half-way leaves the phases it finished.

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


def measure(fn: Callable[[], object]) -> tuple[float, float, object]:
    """``fn()`` timed: (wall seconds, CPU seconds of this process, its threads and children,
    its result)."""
    cpu0, t0 = _cpu(), time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, _cpu() - cpu0, result


def dbt_build(warehouse: Path, workdir: Path, *extra_args: str, test_scope: str = "full") -> None:
    """``dbt build`` (no unit tests) on ``warehouse``, target and logs under ``workdir``;
    ``test_scope``: the dbt tests' scope (full, or the hourly job's newest load)."""
    from orchestration.transform.dbt_args import TEST_SCOPE_ENV

    dbt = str(Path(sys.executable).with_name("dbt"))
    subprocess.run(
        [dbt, "build", "--exclude-resource-type", "unit_test", *extra_args,
         "--target-path", str(workdir / "target"), "--log-path", str(workdir / "logs"), "--quiet"],
        cwd=REPO_ROOT, check=True,
        env={**os.environ, "DBT_PROFILES_DIR": str(REPO_ROOT / "dbt_project"),
             "LEADHOUSE_WAREHOUSE": str(warehouse), TEST_SCOPE_ENV: test_scope},
    )  # fmt: skip


def timed(
    phases: list[Phase],
    name: str,
    fn: Callable[[], object],
    after: Callable[[], object] | None = None,
    **kw: object,
) -> object:
    """Run ``fn`` as phase ``name``; an int result is its row count, a str its note.

    ``after`` runs once the phase is recorded (the benchmark rewrites its partial results)."""
    wall, cpu, result = measure(fn)
    phase = Phase(name, wall, cpu, _peak_mb(), **kw)
    if isinstance(result, int):
        phase.rows = result
    elif isinstance(result, str):
        phase.note = result
    phases.append(phase)
    rate = f", {phase.rows_per_s:,.0f} rows/s" if phase.rows_per_s else ""
    print(f"{name:<32} {phase.wall_s:8.1f} s wall{rate}", flush=True)
    if after is not None:
        after()
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


def ingest_floor(landing: Path, floor_db: Path, sources: list[str] | None = None) -> int:
    """DuckDB's readers on the same landing files, typed and deduplicated on the source key
    (``sources``: only these; default every source)."""
    import duckdb

    rows = 0
    with duckdb.connect(str(floor_db)) as con:
        for source, (pattern, reader, key) in FLOOR_READERS.items():
            if sources is not None and source not in sources:
                continue
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

#: Scales in growth order: each result is compared per row with the newest one of the previous.
SCALES = ("tiny", "small", "medium", "large")
#: Sales capacity (leads a week) the calibration phase uses: about the same share of the leads
#: at every scale (docs/calibration.md measured tiny at 10 and small at 50).
CALIBRATION_CAPACITY = {"tiny": 10, "small": 50, "medium": 500, "large": 5000}
#: Outcome window of the calibration phase (``make calibrate``'s default).
CALIBRATION_HORIZON = 30


def run_syncs() -> str:
    """Every shipped reverse-ETL sync, as the Dagster assets run it (dry run without a token)."""
    from orchestration.activation.resources import (
        default_hubspot,
        default_salesforce,
        make_destination,
        missing_credentials,
    )
    from orchestration.activation.runner import run_sync
    from orchestration.activation.spec import shipped_specs
    from orchestration.config import settings

    cfg = settings()
    hubspot, salesforce = default_hubspot(), default_salesforce()
    done = []
    for spec in shipped_specs().values():
        missing = missing_credentials(spec, hubspot, salesforce)
        report = run_sync(
            spec,
            warehouse=cfg.warehouse_path,
            dry_run=missing is not None,
            dry_run_reason=missing,
            destination_factory=lambda run_id, spec=spec: make_destination(
                spec, run_id, output_dir=cfg.output_dir, hubspot=hubspot, salesforce=salesforce
            ),
        )
        mode = "dry run" if report.dry_run else report.status
        done.append(f"{spec.sync_id} {report.counts.get('source_rows', 0):,} rows ({mode})")
    return "; ".join(done)


def calibrate(out_dir: Path, capacity: int, extra: dict) -> str:
    """``leadhouse calibrate --as-of auto --horizon 30 --capacity N``; its backtest into extra."""
    from orchestration.calibration.warehouse_calibration import calibrate_warehouse

    shutil.rmtree(out_dir, ignore_errors=True)
    result = calibrate_warehouse(
        as_of="auto",
        horizon=CALIBRATION_HORIZON,
        capacity=capacity,
        out_dir=out_dir / "bench",
    )
    verdict = result.recommendation
    backtest = {
        "capacity_per_week": capacity,
        "horizon_days": CALIBRATION_HORIZON,
        "summary": result.summary,
        "metrics": {
            m.name: {
                "n": m.n,
                "base_rate": m.base_rate,
                "auc": m.auc,
                "capacity": m.capacity,
            }
            for m in result.metrics
        },
    }
    if verdict is not None:
        backtest["recommendation"] = {
            "adopt": verdict.adopt,
            "sentence": verdict.sentence,
            "auc_diff": verdict.auc_diff,
            "auc_ci": list(verdict.auc_ci),
            "precision_diff": verdict.precision_diff,
            "precision_ci": list(verdict.precision_ci),
            "k": verdict.k,
        }
    extra["calibration"] = backtest
    action = "adopt" if verdict is not None and verdict.adopt else "keep the champion"
    return (
        f"AUC champion {result.champion_auc:.3f} vs challenger {result.challenger_auc:.3f}: "
        f"{action}"
    )


def resumed_phases(scale: str) -> tuple[list[Phase], dict] | None:
    """The phases and extras of the newest unfinished result of ``scale`` (``--resume``)."""
    files = sorted(RESULTS_DIR.glob(f"{scale}-*.json"))
    if not files:
        return None
    result = json.loads(files[-1].read_text())
    if result.get("complete", True):
        return None
    fields = set(Phase.__dataclass_fields__)
    phases = [Phase(**{k: v for k, v in p.items() if k in fields}) for p in result["phases"]]
    keys = ("landing_rows", "calibration", "hourly_dbt_nodes")
    extra = {k: result[k] for k in keys if result.get(k)}
    return phases, extra


def previous_result(scale: str) -> dict | None:
    """The newest result of the scale before ``scale`` (None for the first or an unknown one)."""
    if scale not in SCALES or SCALES.index(scale) == 0:
        return None
    before = SCALES[SCALES.index(scale) - 1]
    files = sorted(RESULTS_DIR.glob(f"{before}-*.json"))
    return json.loads(files[-1].read_text()) if files else None


def _landing_rows(result: dict) -> int | None:
    if result.get("landing_rows"):
        return int(result["landing_rows"])
    ingest = next((p for p in result["phases"] if p["name"] == "ingest"), None)
    return ingest["rows"] if ingest else None


def growth_per_row(
    phases: list[Phase], rows: int | None, before: dict | None, measure: str = "wall_s"
) -> dict:
    """Per phase: (``measure`` seconds per landing row here) / (the same at ``before``)."""
    if not before or not rows:
        return {}
    rows_before = _landing_rows(before)
    then = {p["name"]: p[measure] for p in before["phases"]}
    if not rows_before:
        return {}
    return {
        p.name: round((getattr(p, measure) / rows) / (then[p.name] / rows_before), 2)
        for p in phases
        if then.get(p.name) and p.name not in ("code location load", "generate")
    }


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


def hold_back_newest_day(landing: Path, holdback: Path) -> list[tuple[Path, Path]]:
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
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue a stopped run: keep its warehouse and its newest partial result, run only "
        "the phases it did not finish",
    )
    args = parser.parse_args(argv)

    base = REPO_ROOT / "data" / "bench" / args.scale
    landing, warehouse = base / "landing", base / "wh" / "leadhouse.duckdb"
    os.environ.update(
        LEADHOUSE_LANDING=str(landing),
        LEADHOUSE_WAREHOUSE=str(warehouse),
        LEADHOUSE_OUTPUT=str(base / "out"),
    )
    done = resumed_phases(args.scale) if args.resume else None
    if args.resume and done is None:
        parser.error(f"--resume: no unfinished result of {args.scale} in {RESULTS_DIR}")
    for folder in ("floor", "target_floor") if done else ("wh", "floor", "target", "target_floor"):
        shutil.rmtree(base / folder, ignore_errors=True)
    warehouse.parent.mkdir(parents=True, exist_ok=True)

    from orchestration.ingestion.ingest import ingest_all
    from orchestration.quality.runner import run_check
    from orchestration.quality.suites import all_checks
    from orchestration.quality.thresholds import load_thresholds
    from orchestration.sample_data.engine import generate
    from orchestration.transform.dbt_args import HOURLY_TEST_SCOPE, SNAPSHOTS_SELECT

    phases: list[Phase] = list(done[0]) if done else []
    extra: dict = dict(done[1]) if done else {}
    finished = {p.name for p in phases}

    def step(name: str, fn: Callable[[], object], **kw: object) -> object:
        if name in finished:  # --resume: measured by the stopped run
            return next(p.rows or p.note for p in phases if p.name == name)
        return timed(phases, name, fn, after=lambda: report(args.scale, phases, extra), **kw)

    stamp = landing / "_truth" / f".generated-{args.scale}-{args.seed}"
    if not stamp.exists():
        shutil.rmtree(landing, ignore_errors=True)
        step("generate", lambda: generate(args.scale, args.seed, landing) and "")
        stamp.touch()

    t0, cpu0 = time.perf_counter(), _cpu()
    load = (
        None
        if "code location load" in finished
        else subprocess.run(
            [sys.executable, "-c", "import orchestration.definitions"], cwd=REPO_ROOT, check=True
        )
    )
    if load is not None:
        load_cpu = _cpu() - cpu0  # the fresh interpreter is a child: its CPU is counted at exit
        phases.append(Phase("code location load", time.perf_counter() - t0, load_cpu, _peak_mb()))

    env = {**os.environ, "DBT_PROFILES_DIR": str(REPO_ROOT / "dbt_project")}
    dbt = str(Path(sys.executable).with_name("dbt"))

    def build(*extra_args: str, test_scope: str = "full") -> str:
        dbt_build(warehouse, base, *extra_args, test_scope=test_scope)
        return "seeds, models, snapshots and dbt tests"

    def checks() -> str:
        outcomes = [run_check(spec, warehouse) for spec in all_checks(load_thresholds())]
        return f"{len(outcomes)} GX checks, {sum(not o.passed for o in outcomes)} failed"

    holdback = base / "holdback"
    hourly_done = "hourly: ingest one new day" in finished
    moves = [] if hourly_done else hold_back_newest_day(landing, holdback)
    try:
        rows = step(
            "ingest",
            lambda: sum(r.rows_in for r in ingest_all().values()),
            floor="ingest floor",
        )
        extra["landing_rows"] = rows
        if "ingest floor" not in finished:
            step("ingest floor", lambda: ingest_floor(landing, base / "wh" / "floor.duckdb"))
            phases[-1].rows = rows
        (base / "wh" / "floor.duckdb").unlink(missing_ok=True)
        step("re-ingest (all skipped)", lambda: ingest_all() and "")
        # the floor starts from the same raw (+ seeds) the build starts from; same file name,
        # because compiled SQL names the catalog. A resumed run whose build is done has no raw
        # warehouse left to start the floor from: the floor is then left out.
        if "dbt build (full)" not in finished:
            seeded = base / "floor" / warehouse.name
            seeded.parent.mkdir(exist_ok=True)
            shutil.copy(warehouse, seeded)
            step("dbt build (full)", build, floor="dbt SQL floor")
            subprocess.run(
                [dbt, "seed", "--target-path", str(base / "target_floor"), "--quiet"],
                cwd=REPO_ROOT, env={**env, "LEADHOUSE_WAREHOUSE": str(seeded)}, check=True,
            )  # fmt: skip
            manifest = base / "target" / "manifest.json"
            step("dbt SQL floor", lambda: f"{build_floor(manifest, seeded, warehouse)} models")
        shutil.rmtree(base / "floor", ignore_errors=True)
        step("quality checks", checks)
        step("syncs", run_syncs)
        capacity = CALIBRATION_CAPACITY.get(args.scale, 50)
        step(
            "calibrate",
            lambda: calibrate(base / "out" / "calibration", capacity, extra),
        )
    finally:
        for original, moved in moves:
            shutil.move(str(moved), str(original))
        shutil.rmtree(holdback, ignore_errors=True)

    if moves or hourly_done:
        step(
            "hourly: ingest one new day",
            lambda: sum(r.rows_in for r in ingest_all().values()),
        )
        # what the hourly job (orchestration/transform/defs.py) builds: everything but the
        # snapshots and the marts built from them (nightly)
        step(
            "hourly: dbt build (incremental)",
            lambda: (
                build("--exclude", SNAPSHOTS_SELECT, test_scope=HOURLY_TEST_SCOPE)
                and "models and dbt tests (newest load), no snapshots"
            ),
        )
        if "hourly: quality checks" not in finished:
            extra["hourly_dbt_nodes"] = slowest_nodes(base / "target" / "run_results.json")
        step("hourly: quality checks", checks)

    return report(args.scale, phases, extra, final=True)


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


def report(scale: str, phases: list[Phase], extra: dict, final: bool = False) -> int:
    """Write ``results/<scale>-<date>.{json,md}`` (after every phase; printed when ``final``)."""
    by_name = {p.name: p for p in phases}
    full = sum(
        by_name[n].wall_s for n in ("ingest", "dbt build (full)", "quality checks") if n in by_name
    )
    hourly = sum(p.wall_s for p in phases if p.name.startswith("hourly:"))
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    before = previous_result(scale)
    rows = extra.get("landing_rows")
    growth = growth_per_row(phases, rows, before)
    growth_cpu = growth_per_row(phases, rows, before, "cpu_s")
    summary = {
        "date": day,
        "scale": scale,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "machine": _machine(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "complete": final,
        "landing_rows": rows,
        "phases": [{**asdict(p), "rows_per_s": p.rows_per_s} for p in phases],
        "ratios": {
            p.name: round(p.wall_s / by_name[p.floor].wall_s, 2)
            for p in phases
            if p.floor and p.floor in by_name and by_name[p.floor].wall_s
        },
        "growth_vs": f"{before['scale']} {before['date']}" if before and growth else None,
        "growth_per_row": growth,
        "growth_per_row_cpu": growth_cpu,
        "full_build_s": round(full, 1),
        "checks_share_of_build": round(by_name["quality checks"].wall_s / full, 3)
        if full and "quality checks" in by_name
        else None,
        "hourly_share_of_full": round(hourly / full, 3) if hourly and full else None,
        "hourly_dbt_nodes": extra.get("hourly_dbt_nodes", []),
        **({"calibration": extra["calibration"]} if "calibration" in extra else {}),
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    stem = RESULTS_DIR / f"{scale}-{day}"
    stem.with_suffix(".json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
    load = ", ".join(f"{x:.2f}" for x in summary["load_average"])
    growth_head = f"per row vs {summary['growth_vs']} (wall / CPU)" if growth else ""
    lines = [
        f"# `{scale}` on {day} (commit {summary['commit']})",
        "",
        f"Machine: {summary['machine']}; load average at the end {load}."
        + ("" if final else " **Partial: the run stopped before its last phase.**"),
        "",
        f"| phase | wall s | cpu s | peak RSS MB | rows/s | vs floor | {growth_head} |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for p in phases:
        ratio = summary["ratios"].get(p.name)
        rate = f"{p.rows_per_s:,.0f}" if p.rows_per_s else ""
        grow = f"{growth[p.name]:.2f}×" if p.name in growth else ""
        if p.name in growth_cpu:
            grow += f" / {growth_cpu[p.name]:.2f}×"
        lines.append(
            f"| {p.name} | {p.wall_s:.1f} | {p.cpu_s:.1f} | {p.peak_rss_mb:,.0f} | {rate} | "
            f"{f'{ratio:.2f}×' if ratio else p.note} | {grow} |"
        )
    if rows:
        lines += ["", f"Landing rows: {rows:,}."]
    if growth:
        lines.append(
            f"Growth: seconds (wall / CPU) per landing row here over the same in "
            f"`{summary['growth_vs']}` (1.00× = linear, flat per row)."
        )
    if full and "quality checks" in by_name:
        share = summary["checks_share_of_build"]
        lines += [
            "",
            f"Full build (ingest + dbt + checks): {full:.1f} s; checks {share:.0%} of it.",
        ]
    if hourly and full:
        share = summary["hourly_share_of_full"]
        lines.append(f"Hourly path on one new day: {hourly:.1f} s = {share:.0%} of the full build.")
    hourly_nodes = extra.get("hourly_dbt_nodes")
    if hourly_nodes:
        lines += ["", f"Hourly dbt build (run_results.json): {hourly_nodes[0]}; slowest nodes:", ""]
        lines += [f"- {node}" for node in hourly_nodes[1:]]
    if "calibration" in extra:
        lines += ["", *calibration_lines(extra["calibration"])]
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")
    if final:
        print("\n".join(lines))
        print(f"written {stem}.json and {stem}.md")
    return 0


def calibration_lines(cal: dict) -> list[str]:
    """The calibration phase's champion vs challenger backtest, for the Markdown result."""
    out = [
        f"Calibration (`leadhouse calibrate --as-of auto --horizon {cal['horizon_days']} "
        f"--capacity {cal['capacity_per_week']}`), on the warehouse without the held-back day:",
        "",
        "| | leads | base rate | AUC | MQL threshold | MQLs/week | precision of MQLs |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in cal["metrics"].items():
        c = m.get("capacity") or {}
        out.append(
            f"| {name} | {m['n']:,} | {m['base_rate']:.3f} | {m['auc']:.3f} | "
            f"{c.get('threshold', '')} | {c.get('mql_per_week', float('nan')):.1f} | "
            f"{c.get('precision', float('nan')):.3f} |"
        )
    if "recommendation" in cal:
        out += ["", cal["recommendation"]["sentence"]]
    return out


if __name__ == "__main__":
    raise SystemExit(main())

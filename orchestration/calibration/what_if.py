"""Replay the last N days under proposed rules beside the current ones, with dbt itself.

For each variant (``current`` = the project's seeds, ``proposed`` = the project's seeds with
the proposed folder's rows merged in by model_id, exactly as ``calibrate --adopt`` would):

1. a throw-away copy of the dbt project (dbt_project.yml, dbt_project/, seeds/) with that
   variant's seeds, and a scratch copy of the warehouse (``COPY FROM DATABASE``; the real
   warehouse is only read);
2. ``dbt seed --full-refresh``, then one ``dbt run`` of the scoring and lifecycle models per
   replay step (weekly ``as_of`` dates over the last N days, the first with
   ``--full-refresh`` so the lifecycle's incremental history starts clean in both variants);
3. after each step, the model's tiers and scores (mart_lead_scores), the lifecycle stages
   (mart_lead_lifecycle) and the hand-offs first recorded in that step (fct_lead_handoffs:
   MQL / SQL volume per week) are read back.

The comparison (tier and stage changes, weekly MQL / SQL volume, biggest movers with the
rule-level point differences from mart_lead_score_explanations) is printed and written as
``<output>/what_if/<stamp>/report.html`` (+ movers.csv).
"""

from __future__ import annotations

import html
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.calibration import html_report
from orchestration.calibration.errors import CalibrationInputError
from orchestration.calibration.seeds_io import merge_rows, read_seed, seed_columns, write_seed
from orchestration.config import DBT_PROJECT_DIR, SEEDS_DIR, settings
from orchestration.resources import memory_duckdb
from orchestration.resources import warehouse as warehouse_resource
from orchestration.transform.dbt_runner import run_dbt

#: The models a replay step rebuilds (everything else is read from the warehouse copy).
REPLAY_SELECT = [
    "path:dbt_project/models/intermediate/scoring",
    "mart_lead_scores",
    "mart_lead_score_explanations",
    "mart_lead_lifecycle",
    "fct_lead_handoffs",
]


def project_copy(root: Path, seeds_override: Path | None) -> Path:
    """Copy of the dbt project under `root`; scoring seeds merged with `seeds_override`."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(DBT_PROJECT_DIR / "dbt_project.yml", root / "dbt_project.yml")
    shutil.copytree(
        DBT_PROJECT_DIR / "dbt_project",
        root / "dbt_project",
        ignore=shutil.ignore_patterns("target", "logs", "__pycache__"),
    )
    shutil.copytree(SEEDS_DIR, root / "seeds")
    if seeds_override is not None:
        files = sorted(Path(seeds_override).glob("*.csv"))
        if not files:
            raise CalibrationInputError(f"no seed CSV files in {seeds_override}")
        for f in files:
            target = root / "seeds" / f.name
            if target.exists():
                write_seed(
                    target,
                    merge_rows(read_seed(target), read_seed(f)),
                    seed_columns(f.stem, SEEDS_DIR),
                )
            else:
                shutil.copy2(f, target)
    return root


def copy_warehouse(source: Path, target: Path) -> None:
    """Consistent copy of the DuckDB warehouse (the source is attached read-only)."""
    if not Path(source).exists():
        raise CalibrationInputError(f"warehouse not found: {source} (run `leadhouse run` first)")
    con = memory_duckdb()
    con.execute(f"attach '{source}' as src (read_only)")
    con.execute(f"attach '{target}' as dst")
    con.execute("copy from database src to dst")
    con.close()


def replay_dates(warehouse: Path, days: int, step_days: int) -> list[datetime]:
    con = warehouse_resource("duckdb", path=warehouse).open(read_only=True)  # a DuckDB copy
    try:
        last = con.execute(
            "select max(occurred_at)::timestamp from marts.fct_interactions"
        ).fetchone()[0]
    finally:
        con.close()
    if last is None:
        raise CalibrationInputError("marts.fct_interactions is empty: nothing to replay")
    end = datetime.combine(last.date(), datetime.min.time()) + timedelta(days=1)
    dates, t = [], end - timedelta(days=days)
    while t < end:
        dates.append(t)
        t += timedelta(days=step_days)
    return dates + [end]


@dataclass
class WhatIf:
    summary: str
    report: Path
    tier_changes: int
    stage_changes: int


def _replay(
    name: str,
    project: Path,
    wh: Path,
    work: Path,
    dates: list[datetime],
    model_id: str,
    results: duckdb.DuckDBPyConnection,
) -> None:
    run_dbt(["seed", "--full-refresh", "--quiet"], work / name, wh, project_dir=project)
    for k, as_of in enumerate(dates):
        args = [
            "run",
            "--quiet",
            "--select",
            *REPLAY_SELECT,
            "--vars",
            f"{{as_of: '{as_of:%Y-%m-%d %H:%M:%S}', replay_in_place: true}}",
        ]
        run_dbt(args + (["--full-refresh"] if k == 0 else []), work / name, wh, project_dir=project)
        results.execute(f"attach '{wh}' as w (read_only)")
        params = {"v": name, "k": k, "as_of": as_of, "m": model_id}
        results.execute(
            """insert into scores select $v, $k, $as_of, lead_id, tier, cast(lead_score as double),
                           cast(fit_score as double), cast(engagement_score as double)
                           from w.marts.mart_lead_scores where model_id = $m""",
            params,
        )
        results.execute(
            """insert into stages select $v, $k, lead_id, lifecycle_stage
                           from w.marts.mart_lead_lifecycle""",
            {k_: params[k_] for k_ in ("v", "k")},
        )
        results.execute(
            """insert into handoffs select $v, $k, handoff_id, lead_id, handoff_type
                           from w.marts.fct_lead_handoffs
                           where handoff_id not in (
                               select handoff_id from handoffs where variant = $v
                           )""",
            {k_: params[k_] for k_ in ("v", "k")},
        )
        if k == len(dates) - 1:
            results.execute(
                """insert into explanations select $v, lead_id, rule_id, cast(sum(points) as double)
                               from w.marts.mart_lead_score_explanations where model_id = $m
                               group by lead_id, rule_id""",
                {"v": name, "m": model_id},
            )
        results.execute("detach w")


def what_if(
    rules_dir: Path,
    days: int,
    step_days: int = 7,
    model_id: str | None = None,
    out_dir: Path | None = None,
    warehouse: Path | None = None,
    top: int = 10,
) -> WhatIf:
    """Replay `days` days under the current and the proposed seeds; compare; write a report."""
    if days <= 0 or step_days <= 0:
        raise CalibrationInputError("--days and --step-days must be positive")
    rules_dir = Path(rules_dir)
    if not rules_dir.is_dir():
        raise CalibrationInputError(f"--rules folder not found: {rules_dir}")
    source = Path(warehouse or settings().warehouse_path)
    if model_id is None:
        champions = [
            r["model_id"]
            for r in read_seed(SEEDS_DIR / "scoring_models.csv")
            if str(r.get("is_champion")).lower() in ("true", "1")
        ]
        model_id = champions[0] if champions else "default"
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    out = Path(out_dir or settings().output_dir / "what_if" / stamp)
    results = memory_duckdb()
    results.execute("""create table scores (variant varchar, step int, as_of timestamp,
                       lead_id varchar, tier varchar, lead_score double, fit_score double,
                       engagement_score double);
                       create table stages (variant varchar, step int, lead_id varchar,
                                            stage varchar);
                       create table handoffs (variant varchar, step int, handoff_id varchar,
                                              lead_id varchar, handoff_type varchar);
                       create table explanations (variant varchar, lead_id varchar, rule_id varchar,
                                                  points double)""")
    with tempfile.TemporaryDirectory(prefix="leadhouse-whatif-") as tmp:
        work = Path(tmp)
        base_wh = work / "current.duckdb"
        copy_warehouse(source, base_wh)
        dates = replay_dates(base_wh, days, step_days)
        shutil.copy2(base_wh, work / "proposed.duckdb")
        for name, override in (("current", None), ("proposed", rules_dir)):
            project = project_copy(work / f"project_{name}", override)
            _replay(name, project, work / f"{name}.duckdb", work, dates, model_id, results)
    return _compare(results, dates, model_id, rules_dir, out, top)


def _compare(
    con: duckdb.DuckDBPyConnection,
    dates: list[datetime],
    model_id: str,
    rules_dir: Path,
    out: Path,
    top: int,
) -> WhatIf:
    last = len(dates) - 1
    con.execute(f"""create view final as
        select c.lead_id, c.tier as tier_current, p.tier as tier_proposed,
               c.lead_score as score_current, p.lead_score as score_proposed,
               sc.stage as stage_current, sp.stage as stage_proposed
        from scores c
        join scores p on p.lead_id = c.lead_id and p.variant = 'proposed' and p.step = {last}
        left join stages sc
            on sc.lead_id = c.lead_id and sc.variant = 'current' and sc.step = {last}
        left join stages sp
            on sp.lead_id = c.lead_id and sp.variant = 'proposed' and sp.step = {last}
        where c.variant = 'current' and c.step = {last}""")
    n, tier_changes, stage_changes = con.execute(
        "select count(*), count(*) filter (where tier_current is distinct from tier_proposed), "
        "count(*) filter (where stage_current is distinct from stage_proposed) from final"
    ).fetchone()
    tier_moves = con.execute("""select tier_current, tier_proposed, count(*) n from final
        where tier_current is distinct from tier_proposed
        group by all order by n desc limit 15""").fetchall()
    stage_moves = con.execute("""select stage_current, stage_proposed, count(*) n from final
        where stage_current is distinct from stage_proposed
        group by all order by n desc limit 15""").fetchall()
    weekly = con.execute(f"""
        with steps as (select unnest(range(1, {len(dates)})) as step)
        select s.step,
               count(*) filter (where h.variant = 'current' and h.handoff_type = 'mql')
                   as mql_current,
               count(*) filter (where h.variant = 'proposed' and h.handoff_type = 'mql')
                   as mql_proposed,
               count(*) filter (where h.variant = 'current' and h.handoff_type = 'sql')
                   as sql_current,
               count(*) filter (where h.variant = 'proposed' and h.handoff_type = 'sql')
                   as sql_proposed
        from steps s left join handoffs h on h.step = s.step
        group by s.step order by s.step""").fetchall()
    movers = con.execute(f"""
        with d as (
            select e.lead_id, e.rule_id,
                   coalesce(max(points) filter (where variant = 'proposed'), 0)
                   - coalesce(max(points) filter (where variant = 'current'), 0) as delta
            from explanations e group by e.lead_id, e.rule_id
        ),
        why as (
            select lead_id,
                   string_agg(rule_id || ' ' || case when delta > 0 then '+' else '' end
                              || cast(round(delta, 1) as varchar), '; '
                              order by abs(delta) desc) as why
            from (select *,
                         row_number() over (partition by lead_id
                                            order by abs(delta) desc, rule_id) rn
                  from d
                  where abs(delta) >= 0.05 and rule_id not like 'clamp:%'
                    and rule_id not like 'cap:%')
            where rn <= 3 group by lead_id
        )
        select f.lead_id, round(f.score_current, 1), round(f.score_proposed, 1),
               round(f.score_proposed - f.score_current, 1) as delta,
               f.tier_current, f.tier_proposed,
               f.stage_current, f.stage_proposed, coalesce(w.why, '')
        from final f left join why w on w.lead_id = f.lead_id
        order by abs(f.score_proposed - f.score_current) desc, f.lead_id
        limit {int(top)}""").fetchall()
    lines = [
        f"what-if: model {model_id}, proposed rules {rules_dir}, replayed {dates[0]:%Y-%m-%d} .. "
        f"{dates[-1]:%Y-%m-%d} in {len(dates)} step(s)",
        f"leads: {n}; tier changed: {tier_changes}; lifecycle stage changed: {stage_changes}",
        "tier moves (current → proposed): "
        + (", ".join(f"{a}→{b} {c}" for a, b, c in tier_moves) or "none"),
        "stage moves (current → proposed): "
        + (", ".join(f"{a}→{b} {c}" for a, b, c in stage_moves) or "none"),
        "hand-offs per week   (week ending | MQL current / proposed | SQL current / proposed):",
        *(
            f"  {dates[s]:%Y-%m-%d} | {mc:4d} / {mp:4d} | {sc:4d} / {sp:4d}"
            for s, mc, mp, sc, sp in weekly
        ),
        "biggest movers (lead | score current → proposed | tier | stage | why):",
        *(
            f"  {r[0][:16]} | {r[1]} → {r[2]} ({r[3]:+}) | {r[4]}→{r[5]} | {r[6]}→{r[7]} | {r[8]}"
            for r in movers
        ),
    ]
    summary = "\n".join(lines)
    out.mkdir(parents=True, exist_ok=True)
    cols = [
        "lead_id",
        "score_current",
        "score_proposed",
        "delta",
        "tier_current",
        "tier_proposed",
        "stage_current",
        "stage_proposed",
        "why",
    ]
    write_seed(out / "movers.csv", [dict(zip(cols, r, strict=True)) for r in movers], cols)
    weeks = max(1, len(weekly))
    mql_now = sum(w[1] for w in weekly) / weeks
    mql_new = sum(w[2] for w in weekly) / weeks
    sql_now = sum(w[3] for w in weekly) / weeks
    sql_new = sum(w[4] for w in weekly) / weeks
    share = tier_changes / n if n else 0.0
    recommendation = (
        f"The proposed rules move {tier_changes:,} of {n:,} leads ({share:.0%}) to another tier "
        f"and would have handed sales {mql_new:,.1f} MQLs a week instead of {mql_now:,.1f} "
        f"({sql_new:,.1f} SQLs instead of {sql_now:,.1f}) over the replayed weeks."
    )
    facts = [
        ("replayed", f"{dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d} in {len(dates)} steps"),
        ("leads", f"{n:,}"),
        ("tier changed", f"{tier_changes:,} ({share:.1%})"),
        ("lifecycle stage changed", f"{stage_changes:,} ({stage_changes / max(n, 1):.1%})"),
        ("MQLs per week, current → proposed", f"{mql_now:,.1f} → {mql_new:,.1f}"),
        ("SQLs per week, current → proposed", f"{sql_now:,.1f} → {sql_new:,.1f}"),
    ]
    moves = [{"from": a, "to": b, "leads": c, "kind": "tier"} for a, b, c in tier_moves] + [
        {"from": a, "to": b, "leads": c, "kind": "stage"} for a, b, c in stage_moves
    ]
    report = html_report.write_report(
        out / "report.html",
        "What-if replay",
        summary,
        [],
        [
            ("Most frequent moves", html_report.table(moves)),
            (
                "Weekly hand-offs",
                html_report.table(
                    [
                        {
                            "week ending": f"{dates[w[0]]:%Y-%m-%d}",
                            "MQL current": w[1],
                            "MQL proposed": w[2],
                            "SQL current": w[3],
                            "SQL proposed": w[4],
                        }
                        for w in weekly
                    ]
                ),
            ),
            (
                "Biggest movers",
                html_report.table(
                    [dict(zip(cols, r, strict=True)) for r in movers],
                    kinds={"score_current": "score", "score_proposed": "score", "delta": "pts"},
                ),
            ),
            ("Method", "<p>" + html.escape(__doc__.split("\n\n")[1]) + "</p>"),
        ],
        recommendation=recommendation,
        facts=facts,
        adopt=True,
    )
    return WhatIf(summary, report, tier_changes, stage_changes)

"""``write_report()``: read the warehouse, draw the charts, write ``<output>/report.html``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from orchestration.config import settings
from orchestration.report import charts, data, page
from orchestration.resources import warehouse as warehouse_resource


def _records(frame: pd.DataFrame) -> list[dict]:
    return [] if frame.empty else frame.astype(object).where(frame.notna(), None).to_dict("records")


def source_sentence(by_source: pd.DataFrame) -> str:
    if by_source.empty:
        return "No lead yet."
    best = by_source.sort_values(["sqls", "leads"], ascending=False).iloc[0]
    rate = best["sqls"] / best["leads"] if best["leads"] else 0
    return (
        f"{best['first_touch_source']} produces the most SQLs: {int(best['sqls']):,} of its "
        f"{int(best['leads']):,} leads ({rate:.1%}). Velocity is the median number of days from "
        "first seen to MQL and to SQL."
    )


def conversion_sentence(by_decile: pd.DataFrame) -> str:
    if by_decile.empty:
        return ""
    top, bottom = by_decile.iloc[0], by_decile.iloc[-1]
    return (
        f"Share of leads that reached an opportunity: {top['conversion']:.1%} in the top score "
        f"decile against {bottom['conversion']:.1%} in the bottom one."
    )


def handoff_sentence(day: object, handoffs: pd.DataFrame, limit: int = 25) -> str:
    n = len(handoffs)
    shown = f"the {limit} best by lead score" if n >= limit else "each of them"
    return (
        f"Leads that crossed into MQL, PQL or SQL on {day}, the latest day with hand-offs: "
        f"{shown}, with the three rules that added the most points."
    )


def build_html(report: data.ReportData) -> str:
    specs = {
        "chart-funnel": charts.funnel(report.funnel),
        "chart-sources": charts.sources(report.by_source),
        "chart-velocity": charts.velocity(report.by_source),
        "chart-personas": charts.persona_scores(report.persona_scores),
        "chart-tiers": charts.tier_matrix(report.tier_matrix),
    }
    if report.has_outcomes:
        specs["chart-tier-conversion"] = charts.conversion_bars(report.by_tier, "tier", "tier")
        specs["chart-decile-conversion"] = charts.conversion_bars(
            report.by_decile, "decile", "lead-score decile (1 = top 10%)"
        )
    context = {
        "d": report,
        "generated": report.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        "funnel_rows": _records(report.funnel),
        "sources": _records(report.by_source),
        "campaigns": _records(report.by_campaign.head(10)),
        "handoffs": _records(report.handoffs),
        "quality": _records(report.quality),
        "freshness": _records(report.freshness),
        "source_sentence": source_sentence(report.by_source),
        "conversion_sentence": conversion_sentence(report.by_decile),
        "handoff_sentence": handoff_sentence(report.handoff_day, report.handoffs),
        "warn_hours": data.FRESH_WARN_HOURS,
        "error_hours": data.FRESH_ERROR_HOURS,
    }
    return page.render(context, specs)


def write_report(
    out: Path | None = None, warehouse: Path | None = None, now: datetime | None = None
) -> Path:
    """Write the report (default ``<LEADHOUSE_OUTPUT>/report.html``) and return its path."""
    cfg = settings()
    warehouse = warehouse or cfg.warehouse_path
    wh = warehouse_resource(path=warehouse)
    if not wh.exists():
        from orchestration.console import LeadhouseError

        raise LeadhouseError(f"no warehouse at {wh.location}", "run `make run` (or leadhouse run)")
    out = out or cfg.output_dir / "report.html"
    report = data.read(Path(warehouse), cfg.output_dir, now=now or datetime.now(UTC))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(build_html(report), encoding="utf-8")
    tmp.replace(out)
    return out

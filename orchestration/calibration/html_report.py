"""Self-contained HTML report of a calibration / backtest, plots embedded as base64 PNG.

Plots: lift chart (observed lift by decile), calibration plot (predicted vs observed
conversion by decile) and conversion by tier, one series per score.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from orchestration.calibration.metrics import ScoreMetrics


def _png(fig: plt.Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return (
        '<img alt="plot" src="data:image/png;base64,'
        + base64.b64encode(buf.getvalue()).decode()
        + '">'
    )


def lift_chart(metrics: list[ScoreMetrics]) -> str:
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    for m in metrics:
        ax.plot(
            [d["decile"] for d in m.deciles],
            [d["lift"] for d in m.deciles],
            marker="o",
            label=m.name,
        )
    ax.axhline(1.0, color="grey", lw=0.8, ls="--")
    ax.set(xlabel="score decile (10 = highest)", ylabel="lift vs base rate", title="Lift by decile")
    ax.legend()
    return _png(fig)


def calibration_plot(metrics: list[ScoreMetrics]) -> str:
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    top = 0.0
    for m in metrics:
        xs = [d["predicted"] for d in m.deciles]
        ys = [d["observed"] for d in m.deciles]
        top = max(top, *xs, *ys)
        ax.plot(xs, ys, marker="o", label=m.name)
    ax.plot([0, top], [0, top], color="grey", lw=0.8, ls="--", label="perfect")
    ax.set(
        xlabel="predicted conversion", ylabel="observed conversion", title="Calibration by decile"
    )
    ax.legend()
    return _png(fig)


def tier_chart(metrics: list[ScoreMetrics]) -> str:
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    width = 0.8 / max(1, len(metrics))
    tiers = sorted({t["tier"] for m in metrics for t in m.tiers})
    for i, m in enumerate(metrics):
        rate = {t["tier"]: t["rate"] for t in m.tiers}
        ax.bar(
            [k + i * width for k in range(len(tiers))],
            [rate.get(t, 0) for t in tiers],
            width,
            label=m.name,
        )
    ax.set_xticks(
        [k + width * (len(metrics) - 1) / 2 for k in range(len(tiers))], tiers, rotation=45
    )
    ax.set(ylabel="conversion rate", title="Conversion by tier")
    ax.legend()
    return _png(fig)


#: Column names shown as percentages (rates, shares, precision) by :func:`table`.
PERCENT_WORDS = ("rate", "precision", "recall", "observed", "predicted", "share")


def fmt(value: object, kind: str | None = None) -> str:
    """A cell as a person reads it: 12.3%, 1,234, 0.842, +5, 45.5 (pct, int, pts, auc, score)."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if kind == "pct":
        return f"{100 * value:.1f}%"
    if kind == "pts":
        text = f"{value:+.2f}".rstrip("0").rstrip(".")
        return "0" if text in ("+0", "-0") else text
    if kind == "auc":
        return f"{value:.3f}"
    if kind == "score":
        return f"{value:,.1f}"
    if isinstance(value, int) or kind == "int" or float(value).is_integer() and abs(value) >= 1000:
        return f"{int(round(value)):,}"
    return f"{value:,.2f}" if abs(value) >= 10 else f"{value:.3g}"


def _kind(column: str) -> str | None:
    name = column.lower()
    if name in ("lift", "conversions", "leads") or name.endswith("_lift"):
        return None
    if name == "conversion":
        return "pct"
    return "pct" if any(w in name for w in PERCENT_WORDS) else None


def table(
    rows: list[dict], columns: list[str] | None = None, kinds: dict[str, str] | None = None
) -> str:
    """An HTML table; numbers formatted per column (`kinds`, else guessed from the name)."""
    if not rows:
        return "<p>(none)</p>"
    columns = columns or list(rows[0])
    kinds = {c: (kinds or {}).get(c, _kind(c)) for c in columns}
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='{'num' if isinstance(r.get(c), int | float) else 'txt'}'>"
            f"{html.escape(fmt(r.get(c, ''), kinds[c]))}</td>"
            for c in columns
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:1100px;line-height:1.4}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
    "font-size:13px}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "th{background:#f2f2f2}.verdict{font-size:1.15em;padding:.8em 1em;background:#eef6ee;"
    "border-left:5px solid #3a7d44;margin:1em 0}.verdict.keep{background:#f6f3e8;"
    "border-left-color:#b58900}pre{background:#f6f6f6;padding:1em;white-space:pre-wrap;"
    "overflow-wrap:anywhere;font-size:12px}img{max-width:100%}"
)


def write_report(
    path: Path,
    title: str,
    summary_text: str,
    metrics: list[ScoreMetrics],
    sections: list[tuple[str, str]],
    recommendation: str | None = None,
    facts: list[tuple[str, str]] | None = None,
    adopt: bool = False,
) -> Path:
    """Write the report: the recommendation sentence, key figures, plots, `sections`
    ((heading, html) blocks, e.g. the points table) and the printed summary (wrapped)."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    if recommendation:
        parts.append(
            f"<p class='verdict{'' if adopt else ' keep'}'>{html.escape(recommendation)}</p>"
        )
    if facts:
        parts.append(
            "<table>"
            + "".join(
                f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                f"<td class='num'>{html.escape(v)}</td></tr>"
                for k, v in facts
            )
            + "</table>"
        )
    for heading, block in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>{block}")
    if metrics:
        parts.append("<h2>Plots</h2>" + lift_chart(metrics) + calibration_plot(metrics))
        if any(m.tiers for m in metrics):
            parts.append(tier_chart(metrics))
        for m in metrics:
            parts.append(
                f"<h3>{html.escape(m.name)}: deciles</h3>"
                + table(m.deciles, kinds={"min_score": "score", "lift": None})
            )
            if m.tiers:
                parts.append(f"<h3>{html.escape(m.name)}: tiers</h3>" + table(m.tiers))
    parts.append(
        "<h2>Printed summary</h2><details><summary>show</summary>"
        f"<pre>{html.escape(summary_text)}</pre></details>"
    )
    parts.append("</body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path

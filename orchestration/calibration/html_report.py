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


def _png(fig) -> str:
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


def table(rows: list[dict], columns: list[str] | None = None) -> str:
    if not rows:
        return "<p>(none)</p>"
    columns = columns or list(rows[0])

    def cell(v):
        return f"{v:.4g}" if isinstance(v, float) else html.escape(str(v))

    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(r.get(c, ''))}</td>" for c in columns) + "</tr>" for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def write_report(
    path: Path,
    title: str,
    summary_text: str,
    metrics: list[ScoreMetrics],
    sections: list[tuple[str, str]],
) -> Path:
    """Write the report; `sections` are extra (heading, html) blocks (e.g. the points table)."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 6px;"
        "font-size:13px}pre{background:#f6f6f6;padding:1em}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<pre>{html.escape(summary_text)}</pre>",
    ]
    if metrics:
        parts.append("<h2>Plots</h2>" + lift_chart(metrics) + calibration_plot(metrics))
        if any(m.tiers for m in metrics):
            parts.append(tier_chart(metrics))
        for m in metrics:
            parts.append(f"<h3>{html.escape(m.name)}: deciles</h3>" + table(m.deciles))
            if m.tiers:
                parts.append(f"<h3>{html.escape(m.name)}: tiers</h3>" + table(m.tiers))
    for heading, block in sections:
        parts.append(f"<h2>{html.escape(heading)}</h2>{block}")
    parts.append("</body></html>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path

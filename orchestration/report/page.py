"""One self-contained HTML page: styles, the Vega bundle and every chart's data inline, so the
file opens from disk with no server and no network."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import altair as alt
import jinja2


def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script, from the vl-convert package (no download)."""
    import vl_convert

    bundle = vl_convert.javascript_bundle(vl_version="_".join(alt.SCHEMA_VERSION.split(".")[:2]))
    return bundle.replace("</script", "<\\/script")  # never closes the element early


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_int(value: Any) -> str:
    return "–" if _missing(value) else f"{int(value):,}"


def fmt_pct(value: Any, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{float(value) * 100:.{digits}f}%"


def fmt_num(value: Any, digits: int = 1) -> str:
    return "–" if _missing(value) else f"{float(value):,.{digits}f}"


def fmt_days(value: Any) -> str:
    return "–" if _missing(value) else f"{float(value):,.1f} d"


def fmt_hours(hours: Any) -> str:
    if _missing(hours):
        return "–"
    hours = max(float(hours), 0.0)
    if hours < 1 / 60:
        return "just now"
    if hours < 1:
        return f"{hours * 60:.0f} min ago"
    if hours < 48:
        return f"{hours:.0f} h ago"
    return f"{hours / 24:.0f} days ago"


def _json_for_script(value: Any) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value, default=str).replace("</", "<\\/")


#: the page layout (HTML and CSS) with jinja2 placeholders, next to this module
TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    Path(__file__).with_name("report.html.j2").read_text(encoding="utf-8")
)


def render(context: dict[str, Any], charts: dict[str, dict]) -> str:
    return TEMPLATE.render(
        **context,
        bundle=vega_bundle(),
        charts_json=_json_for_script(charts),
        fmt_int=fmt_int,
        fmt_pct=fmt_pct,
        fmt_num=fmt_num,
        fmt_days=fmt_days,
        fmt_hours=fmt_hours,
    )

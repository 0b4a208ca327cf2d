"""The report's charts as Vega-Lite specs (built with altair, drawn in the browser by the
inlined Vega bundle). Each function takes an aggregated frame and returns a dict spec."""

from __future__ import annotations

import altair as alt
import pandas as pd

WIDTH = 560
BLUE, ORANGE = "#2563eb", "#f97316"


def _spec(chart: alt.TopLevelMixin) -> dict:
    return chart.configure_view(stroke=None).configure_axis(labelFontSize=12).to_dict()


def funnel(frame: pd.DataFrame) -> dict:
    """Leads reaching each step, labelled with the share of the step before."""
    data = frame.assign(
        label=[
            f"{n:,}" + (f"  ·  {p:.1%} of previous" if pd.notna(p) else "")
            for n, p in zip(frame["leads"], frame["from_previous"], strict=True)
        ]
    )
    base = alt.Chart(data).encode(
        y=alt.Y("step:N", sort=list(data["step"]), title=None),
        x=alt.X("leads:Q", title="leads", axis=alt.Axis(format=",d")),
        tooltip=[
            alt.Tooltip("step:N"),
            alt.Tooltip("leads:Q", format=",d"),
            alt.Tooltip("from_previous:Q", title="of previous step", format=".1%"),
            alt.Tooltip("from_leads:Q", title="of all leads", format=".1%"),
        ],
    )
    bars = base.mark_bar(color=BLUE, cornerRadiusEnd=3)
    text = base.mark_text(align="left", dx=4, fontSize=12).encode(text="label:N")
    return _spec((bars + text).properties(width=WIDTH - 160, height=170))


def sources(frame: pd.DataFrame) -> dict:
    """MQLs and SQLs per first-touch source."""
    return _steps_per_source(frame, {"mqls": "MQLs", "sqls": "SQLs"}, "leads", ",d")


def velocity(frame: pd.DataFrame) -> dict:
    """Median days from first seen to MQL and to SQL, per source."""
    steps = {"median_days_to_mql": "to MQL", "median_days_to_sql": "to SQL"}
    return _steps_per_source(frame, steps, "median days from first seen", ".1f")


def _steps_per_source(frame: pd.DataFrame, steps: dict[str, str], x_title: str, fmt: str) -> dict:
    """One bar per funnel step (``steps``: column → label) for each first-touch source, in the
    frame's order; steps without a value have no bar."""
    data = frame.melt(
        id_vars=["first_touch_source"], value_vars=list(steps), var_name="step"
    ).replace({"step": steps})
    data = data.dropna(subset=["value"])
    x_axis = alt.Axis(format=",d") if fmt == ",d" else alt.Undefined
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                "first_touch_source:N",
                sort=list(frame["first_touch_source"]),
                title="first-touch source",
            ),
            x=alt.X("value:Q", title=x_title, axis=x_axis),
            yOffset="step:N",
            color=alt.Color(
                "step:N", scale=alt.Scale(range=[BLUE, ORANGE]), legend=alt.Legend(title=None)
            ),
            tooltip=["first_touch_source:N", "step:N", alt.Tooltip("value:Q", format=fmt)],
        )
        .properties(width=WIDTH - 200, height=max(120, 34 * len(frame)))
    )
    return _spec(chart)


def persona_scores(frame: pd.DataFrame) -> dict:
    """Lead-score distribution (bands of 10 points) for each persona."""
    data = frame.assign(band=[f"{s}–{s + 9 if s < 90 else 100}" for s in frame["score_from"]])
    order = [f"{s}–{s + 9 if s < 90 else 100}" for s in range(0, 100, 10)]
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("band:O", sort=order, title="lead score"),
            y=alt.Y("leads:Q", title="leads", axis=alt.Axis(format=",d")),
            xOffset="persona:N",
            color=alt.Color(
                "persona:N", legend=alt.Legend(orient="bottom", columns=1, labelLimit=600)
            ),
            tooltip=["persona:N", "band:O", alt.Tooltip("leads:Q", format=",d")],
        )
        .properties(width=WIDTH, height=220)
    )
    return _spec(chart)


def tier_matrix(frame: pd.DataFrame) -> dict:
    """Fit grade x engagement band: colour = share that reached an opportunity, text = leads."""
    data = frame.assign(
        label=[
            f"{n:,} · {c:.0%}" for n, c in zip(frame["leads"], frame["conversion"], strict=True)
        ],
        band=[f"band {int(b)}" for b in frame["engagement_band"]],
    )
    base = alt.Chart(data).encode(
        x=alt.X("band:O", title="engagement (1 = most engaged)", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("fit_grade:O", title="fit grade"),
    )
    rect = base.mark_rect(cornerRadius=3).encode(
        color=alt.Color(
            "conversion:Q",
            title="to opportunity",
            scale=alt.Scale(scheme="blues"),
            legend=alt.Legend(format=".0%"),
        ),
        tooltip=[
            "tier:N",
            alt.Tooltip("leads:Q", format=",d"),
            alt.Tooltip("opportunities:Q", format=",d"),
            alt.Tooltip("conversion:Q", title="to opportunity", format=".1%"),
        ],
    )
    text = base.mark_text(fontSize=13).encode(
        text="label:N",
        color=alt.condition(alt.datum.conversion > 0.25, alt.value("white"), alt.value("#111")),
    )
    return _spec((rect + text).properties(width=WIDTH - 140, height=220))


def conversion_bars(frame: pd.DataFrame, category: str, title: str) -> dict:
    """Share of leads that reached an opportunity per tier or decile."""
    chart = (
        alt.Chart(frame)
        .mark_bar(color=BLUE, cornerRadiusEnd=3)
        .encode(
            x=alt.X(
                f"{category}:O",
                title=title,
                sort=list(frame[category]),
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y("conversion:Q", title="reached an opportunity", axis=alt.Axis(format=".0%")),
            tooltip=[
                alt.Tooltip(f"{category}:O", title=title),
                alt.Tooltip("leads:Q", format=",d"),
                alt.Tooltip("opportunities:Q", format=",d"),
                alt.Tooltip("conversion:Q", format=".1%"),
            ],
        )
        .properties(width=WIDTH / 2 - 40, height=200)
    )
    return _spec(chart)

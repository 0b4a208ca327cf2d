"""Scales and knobs of the generator (pydantic, validated)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

#: The window's last day in the Python API (tests, benchmarks): output never depends on "now".
#: ``leadhouse generate`` ends the window yesterday instead (``--end-date`` pins it).
DEFAULT_END_DATE = date(2026, 10, 31)
#: Length of the population window, in days.
DEFAULT_DAYS = 90


class ScaleSpec(BaseModel):
    """Size of one scale."""

    name: str
    leads: int = Field(gt=0, description="known people (identified, imported or in the CRM)")
    web_events: int = Field(gt=0, description="target number of Segment messages over the window")
    chunk_leads: int = Field(default=50_000, description="leads generated together")


SCALES: dict[str, ScaleSpec] = {
    "tiny": ScaleSpec(name="tiny", leads=500, web_events=30_000),
    "small": ScaleSpec(name="small", leads=10_000, web_events=1_000_000),
    "medium": ScaleSpec(name="medium", leads=100_000, web_events=10_000_000),
    "large": ScaleSpec(name="large", leads=1_000_000, web_events=100_000_000),
}


class GeneratorOptions(BaseModel):
    """Knobs that are not the scale."""

    dirty_rate: float = Field(default=0.01, ge=0.0, le=0.5, description="share of dirty records")
    end_date: date = Field(
        default=DEFAULT_END_DATE, description="last day of the population window"
    )
    window_days: int = Field(default=DEFAULT_DAYS, gt=0)
    max_events_per_file: int = Field(default=200_000, gt=0, description="split days into files")
    batch_envelope_share: float = Field(
        default=0.08, ge=0.0, le=1.0, description="share of Segment lines that start a batch"
    )

"""Typed view (pydantic) of ``thresholds.yml``: the one file where the data team tunes checks.

The YAML also holds the table -> suite binding (``tables:``), so a renamed model is a one-line
change there. :func:`load_thresholds` validates the file; a typo fails loudly at load time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

DEFAULT_PATH = Path(__file__).with_name("thresholds.yml")

Severity = Literal["ERROR", "WARN"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ValueSet(_Model):
    """Accepted values of a column: ``values_from`` names the dbt var (``dbt_project.yml``)
    that holds the list, the one source the dbt accepted_values tests read too."""

    column: str
    values: list[str] = []
    values_from: str | None = None


class Unmapped(_Model):
    """Rows whose ``column`` is ``value`` (e.g. event type ``other``): a provider name no
    mapping knows; ``detail`` is the column with the provider's own name."""

    column: str
    value: str = "other"
    detail: str


class RawTable(_Model):
    table: str
    event_time: str | None = None
    volume: bool = True  # judge the row volume of a load against recent loads
    freshness_window_hours: float | None = None  # this source's window (default: raw's)


class StagingTable(_Model):
    asset: str
    table: str
    key: list[str]
    email: str | None = None
    event_time: str | None = None
    event_type: ValueSet | None = None
    provider: ValueSet | None = None
    bot_flag: str | None = None
    machine_open_flag: str | None = None
    open_event_type: str | None = None
    #: where the flags of the shares check are (default: ``table``): machine opens are
    #: flagged by an intermediate view over the staging table (int_email__events)
    shares_table: str | None = None
    unmapped: Unmapped | None = None


class MartTable(_Model):
    asset: str
    table: str


class TransitionsTable(MartTable):
    from_stage: str = "from_stage"
    to_stage: str = "to_stage"
    recycle_record: str = "to_stage = 'recycled'"


class MartTables(_Model):
    lead_scores: MartTable
    explanations: MartTable
    activation: MartTable
    lifecycle: MartTable
    transitions: TransitionsTable


class Tables(_Model):
    load_manifest: str = "raw.load_manifest"
    raw: dict[str, RawTable]
    staging: dict[str, StagingTable]
    marts: MartTables


class Volume(_Model):
    history_loads: int = 7
    min_history_loads: int = 5
    min_ratio: float = 0.2
    max_ratio: float = 4.0


class RawThresholds(_Model):
    volume: Volume = Volume()
    min_rows_per_load: int = 50
    min_rows_for_shares: int = 200
    max_quarantined_share: float = 0.02
    max_duplicate_share: float = 0.10
    clock_skew_tolerance_minutes: float = 10
    max_future_share: float = 0.001
    freshness_window_hours: float = 48


class Band(_Model):
    min: float = 0.0
    max: float = 1.0


class StagingThresholds(_Model):
    min_event_time: str = "2015-01-01"
    clock_skew_tolerance_minutes: float = 10
    max_invalid_email_share: float = 0.0
    min_daily_rows: int = 50
    machine_open_share: Band = Band(max=0.75)
    bot_share: Band = Band(max=0.30)


class Drift(_Model):
    mean: float = 5.0
    quantiles: dict[str, float] = Field(
        default_factory=lambda: {"p25": 8.0, "p50": 8.0, "p75": 8.0, "p90": 10.0}
    )
    min_leads: int = 20


class MartThresholds(_Model):
    score_columns: list[str] = ["fit_score", "engagement_score", "lead_score"]
    score_min: float = 0
    score_max: float = 100
    tiers: list[str]
    fit_grades: list[str]
    temperatures: list[str]
    buying_stages: list[str]
    funnel: list[str]
    off_funnel_stages: list[str]
    extra_edges: list[tuple[str, str]] = []
    disqualifiable_from: list[str]
    recyclable_from: list[str]
    stage_share: dict[str, tuple[float, float]]
    explanation_tolerance: float = 0.5
    drift: Drift = Drift()

    @property
    def stages(self) -> list[str]:
        return [*self.funnel, *self.off_funnel_stages]


class Thresholds(_Model):
    """The whole of ``thresholds.yml``."""

    tables: Tables
    raw: RawThresholds = RawThresholds()
    staging: StagingThresholds = StagingThresholds()
    marts: MartThresholds
    sample_rows: int = 5
    severity: dict[str, Severity] = {}


def dbt_vars(project_file: Path | None = None) -> dict:
    """The ``vars:`` of ``dbt_project.yml`` (the accepted-values lists live there)."""
    from orchestration.config import DBT_PROJECT_DIR

    path = project_file or DBT_PROJECT_DIR / "dbt_project.yml"
    with open(path, encoding="utf-8") as fh:
        return (yaml.safe_load(fh) or {}).get("vars") or {}


def _resolve_value_sets(t: Thresholds) -> Thresholds:
    variables = None
    for st in t.tables.staging.values():
        for vs in (st.event_type, st.provider):
            if vs is None or not vs.values_from:
                continue
            variables = variables if variables is not None else dbt_vars()
            values = variables.get(vs.values_from)
            if not isinstance(values, list) or not values:
                raise ValueError(
                    f"thresholds.yml: values_from {vs.values_from!r} is not a list in the "
                    "vars of dbt_project.yml"
                )
            vs.values = [str(v) for v in values]
    return t


def load_thresholds(path: Path | str | None = None) -> Thresholds:
    """Read and validate the thresholds file (default: the one next to this module); value
    sets given as ``values_from`` are read from the dbt vars."""
    with open(path or DEFAULT_PATH, encoding="utf-8") as fh:
        return _resolve_value_sets(Thresholds.model_validate(yaml.safe_load(fh)))

"""Point-in-time replay: build the warehouse as it would have been at an instant, in its own schema.

``dbt`` with ``--vars {as_of: ...}`` builds every model from the raw rows that had arrived by
``as_of`` (views ``<schema>.raw__<table>``, see ``dbt_project/macros/replay.sql``), with leads
created by then, attribute, consent and suppression values as last observed by then, and
interactions and deals up to then. Every node, seeds included, goes to the replay schema
(``replay_<YYYYMMDD>`` for the end of a day); production schemas and the incremental state of
the lifecycle and hand-offs are never read or written. Snapshots (history) are not replayed.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from orchestration.config import settings
from orchestration.resources import require_engine
from orchestration.resources import warehouse as warehouse_resource
from orchestration.transform.dbt_runner import run_dbt

#: Nodes a replay does not build: the snapshot (history of production runs) and what reads it.
REPLAY_EXCLUDE = ["resource_type:snapshot", "snap_lead_state+"]
_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class Replay:
    as_of: datetime
    schema: str
    warehouse: Path | None  # the DuckDB file; None on PostgreSQL (the configured database)

    @property
    def where(self) -> str:
        return str(self.warehouse) if self.warehouse else warehouse_resource().location


def parse_as_of(text: str) -> datetime:
    """A date means the end of that day (23:59:59); a timestamp is taken as is (UTC)."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.combine(date.fromisoformat(text), datetime.max.time()).replace(
            microsecond=0
        )
    return datetime.fromisoformat(text.replace("Z", "")).replace(tzinfo=None, microsecond=0)


def schema_for(as_of: datetime) -> str:
    """``replay_<YYYYMMDD>`` at the end of a day, else ``replay_<YYYYMMDD>_<HHMMSS>``
    (the same name ``replay_schema()`` gives in dbt)."""
    day = f"replay_{as_of:%Y%m%d}"
    return (
        day
        if as_of.time() == datetime.max.time().replace(microsecond=0)
        else f"{day}_{as_of:%H%M%S}"
    )


def dbt_vars(as_of: datetime, schema: str) -> str:
    return f"{{as_of: '{as_of:%Y-%m-%d %H:%M:%S}', replay_schema: '{schema}'}}"


def score_as_of(
    as_of: datetime, schema: str | None = None, warehouse: Path | None = None
) -> Replay:
    """Build the replay schema (seeds and every model, from scratch) in `warehouse`."""
    schema = schema or schema_for(as_of)
    if not _SCHEMA_RE.match(schema) or schema in {
        "raw",
        "staging",
        "intermediate",
        "marts",
        "seeds",
        "snapshots",
        "retl",
    }:
        raise ValueError(f"not a replay schema name: {schema!r}")
    # DuckDB: the file (a path given means a DuckDB file); PostgreSQL: the configured database
    engine = "duckdb" if warehouse is not None else settings().target
    if warehouse is None:
        require_engine("score-as-of (replay)", "duckdb", "postgres")
    wh = Path(warehouse or settings().warehouse_path) if engine == "duckdb" else None
    if not warehouse_resource(engine, path=wh).exists():
        where = wh or warehouse_resource(engine).location
        raise FileNotFoundError(f"no warehouse at {where}: run `leadhouse run` (or ingest) first")
    variables = dbt_vars(as_of, schema)
    with tempfile.TemporaryDirectory(prefix="leadhouse-replay-") as tmp:
        work = Path(tmp)
        run_dbt(["seed", "--full-refresh", "--quiet", "--vars", variables], work, wh)
        run_dbt(
            ["run", "--full-refresh", "--quiet", "--exclude", *REPLAY_EXCLUDE, "--vars", variables],
            work,
            wh,
        )
    return Replay(as_of, schema, wh)


def summary(replay: Replay) -> str:
    """Leads scored, lifecycle stages, buying stages and the funnel of a replay schema."""
    s = replay.schema
    engine = "duckdb" if replay.warehouse else None
    with warehouse_resource(engine, path=replay.warehouse).connect(read_only=True) as con:
        n = con.execute(f"select count(*) from {s}.mart_lead_activation").fetchone()[0]
        stages = con.execute(
            f"select lifecycle_stage, count(*) from {s}.mart_lead_activation "
            "group by 1 order by 2 desc"
        ).fetchall()
        buying = con.execute(
            f"select buying_stage, count(*) from {s}.mart_lead_activation group by 1 order by 1"
        ).fetchall()
        funnel = con.execute(
            f"""select funnel_stage, sum(leads_entered), sum(leads_converted),
                       round(100.0 * sum(leads_converted) / nullif(sum(leads_entered), 0), 1)
                from {s}.mart_funnel_daily where next_stage is not null
                group by funnel_stage order by min(stage_order)"""
        ).fetchall()
    lines = [
        f"replay as of {replay.as_of:%Y-%m-%d %H:%M:%S} in schema {s} of {replay.where}",
        f"  leads scored: {n:,}",
        "  lifecycle: " + ", ".join(f"{k} {v:,}" for k, v in stages),
        "  buying stage: " + ", ".join(f"{k} {v:,}" for k, v in buying),
        "  funnel: "
        + ", ".join(
            f"{stage} {entered:,} -> {conv:,} ({pct}%)" for stage, entered, conv, pct in funnel
        ),
    ]
    if replay.warehouse:
        query = f"select * from {s}.mart_lead_activation limit 10"
        lines.append(f'  query it: duckdb {replay.warehouse} "{query}"')
    return "\n".join(lines)

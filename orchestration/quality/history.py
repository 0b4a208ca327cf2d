"""Score-distribution history: the previous run's lead_score stats, per model.

Stored as JSON lines in ``settings().output_dir / "quality" / "score_stats_history.jsonl"``
(a file, so the warehouse stays read-only for everything in this area). Only the asset
``quality/score_stats_history`` appends to it, after the blocking checks on
``mart_lead_scores`` passed; the drift check only reads it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from orchestration.quality.suites import score_stats_query
from orchestration.quality.thresholds import Thresholds
from orchestration.resources import warehouse as warehouse_resource


def history_path(output_dir: Path) -> Path:
    return Path(output_dir) / "quality" / "score_stats_history.jsonl"


def previous_stats(output_dir: Path) -> dict[str, dict]:
    """The latest recorded stats per model_id ({} before the first recorded run)."""
    path = history_path(output_dir)
    latest: dict[str, dict] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                latest[row["model_id"]] = row
    return latest


def current_stats(warehouse_path: Path, t: Thresholds) -> list[dict]:
    """lead_score stats per model from the warehouse (read-only connection, closed on return)."""
    with warehouse_resource(path=warehouse_path).connect(read_only=True) as con:
        cur = con.execute(score_stats_query(t))
        names = [d[0] for d in cur.description]
        # contracted score columns are DECIMAL: stats are plain floats (JSON, drift maths)
        return [
            {n: float(v) if isinstance(v, Decimal) else v for n, v in zip(names, row, strict=True)}
            for row in cur.fetchall()
        ]


def record_stats(output_dir: Path, stats: list[dict], run_id: str | None = None) -> Path:
    """Append this run's stats (one line per model) to the history file."""
    path = history_path(output_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    at = datetime.now(UTC).isoformat()
    with path.open("a", encoding="utf-8") as fh:
        for row in stats:
            fh.write(json.dumps({**row, "recorded_at": at, "run_id": run_id}, default=float) + "\n")
    return path

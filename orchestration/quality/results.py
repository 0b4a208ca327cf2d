"""Where check outcomes are kept between the check steps, the summary and the Data Docs:
``settings().output_dir / "quality" / "results" / <layer>__<asset>__<check>.json`` (latest
outcome of each check, with its GX validation results)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from orchestration.quality.runner import CheckOutcome


def results_dir(output_dir: Path) -> Path:
    return Path(output_dir) / "quality" / "results"


def save_outcome(output_dir: Path, outcome: CheckOutcome, run_id: str | None = None) -> Path:
    folder = results_dir(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{outcome.layer}__{'.'.join(outcome.asset_key)}__{outcome.name}.json"
    payload = {
        **outcome.to_dict(),
        "run_id": run_id,
        "validation_results": outcome.validation_results,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, default=str), encoding="utf-8")
    tmp.replace(path)
    return path


def load_outcomes(output_dir: Path) -> list[dict[str, Any]]:
    """Every saved outcome, in a stable order (layer, asset, check)."""
    folder = results_dir(output_dir)
    if not folder.exists():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]

"""Read and write scoring seed CSVs (docs/data-contracts.md §4) and adopt a version.

A calibrated version is a folder of seed CSVs in exactly the project's seed format
(same file names, same header as the project's seeds when they exist). Adopting merges
them into ``seeds/`` (rows of the versioned model_ids replace theirs) after a backup.
"""

from __future__ import annotations

import csv
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from orchestration.calibration.errors import CalibrationInputError
from orchestration.config import SEEDS_DIR

#: Written by ``calibrate --input`` next to its seeds: how its rules read values
#: (``score`` reads it).
MANIFEST = "calibration.json"

#: The contract's columns (docs/data-contracts.md §4); the project's header wins when present.
CONTRACT_COLUMNS: dict[str, list[str]] = {
    "scoring_models": [
        "model_id",
        "model_version",
        "is_champion",
        "description",
        "trained_from",
        "trained_to",
    ],
    "scoring_personas": ["model_id", "persona_id", "persona_name"],
    "scoring_fit_rules": [
        "model_id",
        "persona_id",
        "rule_id",
        "attribute",
        "operator",
        "value",
        "points",
        "description",
    ],
    "scoring_engagement_rules": [
        "model_id",
        "rule_id",
        "interaction_type",
        "detail_match",
        "category",
        "points",
        "half_life_days",
        "window_days",
        "cap_per_day",
    ],
}


def seed_columns(name: str, seeds_dir: Path = SEEDS_DIR) -> list[str]:
    """Header of seed `name` in `seeds_dir` if it exists, else the contract's columns."""
    path = Path(seeds_dir) / f"{name}.csv"
    if path.exists():
        with path.open(newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), None)
        if header:
            return header
    return list(CONTRACT_COLUMNS[name])


def read_seed(path: Path) -> list[dict[str, str]]:
    """Rows of a seed CSV as dicts of strings (missing file → empty list)."""
    path = Path(path)
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_seed(path: Path, rows: list[dict], columns: list[str]) -> Path:
    """Write rows with exactly `columns` (missing keys → empty)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: ("" if r.get(c) is None else r.get(c)) for c in columns})
    return path


def slug(text: str, max_len: int = 40) -> str:
    s = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")
    return (s or "blank")[:max_len]


def new_version(prefix: str = "cal") -> str:
    """A sortable version id, e.g. cal-20250101T120000Z."""
    return f"{prefix}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def merge_rows(current: list[dict], incoming: list[dict]) -> list[dict]:
    """Rows of `current` whose model_id is not in `incoming`, then all of `incoming`, in order.

    The incoming rows of a model take the place of that model's first current row, so the
    file keeps its order and the other models' rows are untouched.
    """
    models = {r.get("model_id") for r in incoming}
    out, placed = [], False
    for r in current:
        if r.get("model_id") in models:
            if not placed:
                out.extend(incoming)
                placed = True
            continue
        out.append(r)
    if not placed:
        out.extend(incoming)
    return out


def adopt(
    version_dir: Path, seeds_dir: Path = SEEDS_DIR, backup_root: Path | None = None
) -> list[Path]:
    """Merge the scoring_*.csv files of `version_dir` into `seeds_dir`; back up replaced files.

    For each file, the rows of the model_ids the version holds replace that model's rows in
    the project's seed; every other model's rows stay. Headers must match the project's.
    Returns the files written. Raises when the folder has no scoring seed files.
    """
    version_dir = Path(version_dir)
    files = sorted(version_dir.glob("scoring_*.csv")) if version_dir.is_dir() else []
    if not files:
        raise CalibrationInputError(f"no scoring_*.csv seed files in {version_dir}")
    for f in files:  # refuse a file whose header differs from the project's seed
        target = Path(seeds_dir) / f.name
        if target.exists():
            with f.open(newline="") as a, target.open(newline="") as b:
                ha, hb = next(csv.reader(a), []), next(csv.reader(b), [])
            if ha != hb:
                raise CalibrationInputError(
                    f"{f.name}: header {ha} differs from the project's seed header {hb}"
                )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    backup = Path(backup_root or version_dir.parent / "_backups") / stamp
    written = []
    for f in files:
        target = Path(seeds_dir) / f.name
        incoming = read_seed(f)
        if target.exists():
            backup.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target, backup / f.name)
            columns = seed_columns(f.stem, seeds_dir)
            write_seed(target, merge_rows(read_seed(target), incoming), columns)
        else:
            shutil.copy2(f, target)
        written.append(target)
    return written

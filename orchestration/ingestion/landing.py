"""The landing folder: which files each source has, their checksums and a cheap fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from orchestration.config import SOURCES
from orchestration.ingestion.settle import is_temporary_name


@dataclass(frozen=True)
class LandingFile:
    """One landed file. ``rel`` (posix, relative to the landing folder) is its identity."""

    source: str
    path: Path
    rel: str
    size: int


def _listed(landing_dir: Path, source: str) -> list[Path]:
    """The files of ``<landing>/<source>/dt=*/``, by listing directories: a name is data,
    never a pattern (``segment-[12].jsonl`` is that file, ``segment-*.jsonl`` too). Hidden,
    ``_``-prefixed and temporary names (``*.tmp``, ``*.part``, …) are skipped."""
    root = landing_dir / source
    if not root.is_dir():
        return []
    out = []
    for day in sorted(root.iterdir()):
        if not (day.name.startswith("dt=") and day.is_dir()):
            continue
        for path in sorted(day.iterdir()):
            if not is_temporary_name(path.name) and path.is_file():
                out.append(path)
    return out


def discover(landing_dir: Path, source: str) -> list[LandingFile]:
    """Files under ``<landing>/<source>/dt=*/``, in day then name order (hidden files skipped)."""
    files = []
    for path in _listed(landing_dir, source):
        if path.exists():
            files.append(
                LandingFile(
                    source=source,
                    path=path,
                    rel=path.relative_to(landing_dir).as_posix(),
                    size=path.stat().st_size,
                )
            )
    return files


def fingerprint(landing_dir: Path, sources: tuple[str, ...] = SOURCES) -> dict[str, str]:
    """Per source, a digest of (path, size, mtime) of its files: changes when a file is
    added or rewritten. Cheap (no file is read); used by the sensor's cursor."""
    out = {}
    for source in sources:
        digest = hashlib.sha256()
        for path in _listed(landing_dir, source):
            stat = path.stat()
            digest.update(
                f"{path.relative_to(landing_dir)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode()
            )
        out[source] = digest.hexdigest()[:16]
    return out

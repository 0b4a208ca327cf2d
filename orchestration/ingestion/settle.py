"""Which landing files have settled, i.e. are no longer being written.

Two conventions, both documented in docs/ingestion.md:

* **rename when done**: a writer writes ``<name>.tmp`` (or ``.part``, ``.partial``,
  ``.inprogress``, ``.crdownload``, or a name starting with ``.``/``_``) and renames it to
  its final name when it is complete; such names are never listed
  (:func:`is_temporary_name`). The collector does this.
* **quiet period**: any other file is loaded only once its size and mtime have not changed
  for ``LEADHOUSE_SETTLE_SECONDS`` (default 2). A file modified more recently is watched
  once for the rest of that period; if it changed meanwhile it is left for the next run
  (reported as ``unsettled``), never loaded half-way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from orchestration.config import settings

#: suffixes of files still being written by a rename-when-done writer
TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".inprogress", ".crdownload", ".swp", "~")


def is_temporary_name(name: str) -> bool:
    """Hidden/underscore names and the temporary names of a writer that renames when done."""
    return name.startswith((".", "_")) or name.lower().endswith(TEMPORARY_SUFFIXES)


def settle_seconds() -> float:
    """The quiet period (``LEADHOUSE_SETTLE_SECONDS``, default 2 s; 0 turns the wait off)."""
    return settings().settle_seconds


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_size, stat.st_mtime_ns


def split_settled(
    paths: list[Path],
    quiet_seconds: float,
    *,
    now: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[Path], list[Path]]:
    """``(settled, unsettled)``: a file is settled when its (size, mtime) did not change for
    ``quiet_seconds``. Files modified within the period are watched once for what is left
    of it (one wait for all of them, at most ``quiet_seconds``)."""
    if quiet_seconds <= 0:
        return list(paths), []
    before = {path: _signature(path) for path in paths}
    current = now()
    young = [
        path
        for path, sig in before.items()
        if sig is not None and current - sig[1] / 1e9 < quiet_seconds
    ]
    if young:
        newest = max(before[path][1] / 1e9 for path in young)  # type: ignore[index]
        sleep(min(quiet_seconds, max(newest + quiet_seconds - current, 0.0)))
    settled, unsettled = [], []
    for path in paths:
        sig = before[path]
        if sig is None:
            continue  # vanished (renamed away) since it was listed
        if path in young and _signature(path) != sig:
            unsettled.append(path)
        else:
            settled.append(path)
    return settled, unsettled

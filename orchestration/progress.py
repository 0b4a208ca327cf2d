"""Progress of long loops (the generator, ingestion), shown only when a console asks for it.

Code that loops over files or days wraps the loop in :func:`task` and reports what it did::

    with progress.task("ingest web_events", total=total_bytes, unit="bytes") as bar:
        for file in files:
            ...
            bar.advance(file.size, rows=rows_loaded)

Nothing is shown (and nothing from ``rich`` is imported) unless a console installed a
:class:`Reporter` with :func:`install` — ``leadhouse run`` and ``leadhouse generate`` do; Dagster
runs started from the UI, the daemon and the tests do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Bar(Protocol):
    def advance(self, amount: float, rows: int = 0) -> None: ...


class Reporter(Protocol):
    def start(self, description: str, total: float | None, unit: str) -> Bar: ...

    def finish(self, bar: Bar) -> None: ...


class _NoBar:
    def advance(self, amount: float, rows: int = 0) -> None:
        return None


_reporter: Reporter | None = None


def install(reporter: Reporter | None) -> Reporter | None:
    """Route progress to ``reporter`` (None: back to silence); returns the previous one."""
    global _reporter
    previous, _reporter = _reporter, reporter
    return previous


@contextmanager
def task(description: str | None, total: float | None, unit: str = "rows") -> Iterator[Bar]:
    """A bar of ``total`` units (bytes, days, files); ``rows`` advanced alongside give rows/s.
    No description: no bar (a loop with nothing to do)."""
    reporter = _reporter
    if reporter is None or description is None:
        yield _NoBar()
        return
    bar = reporter.start(description, total, unit)
    try:
        yield bar
    finally:
        reporter.finish(bar)

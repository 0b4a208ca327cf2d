"""The publish part of the run summary: which version BI reads now (``orchestration/summary.py``
calls every area's report with a read-only warehouse connection; this one does not need it)."""

from __future__ import annotations

import duckdb

from orchestration.publish.command import status


def publish_summary(con: duckdb.DuckDBPyConnection | None = None) -> str:
    try:
        return status()
    except Exception as exc:  # noqa: BLE001 - a summary line, never a crash of the summary
        return f"Published: unavailable ({type(exc).__name__}: {exc})"

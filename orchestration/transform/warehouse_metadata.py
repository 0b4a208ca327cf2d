"""Materialization metadata dagster-dbt cannot fetch while dbt runs: DuckDB has one writer, and
``dbt build`` holds it. Once the dbt process has exited, one read-only connection adds

- ``dagster/row_count`` to each model, seed and snapshot materialization;
- ``failing_rows_sample`` (the first rows the test's SQL returns) to each failed dbt test.

Only for the DuckDB target; other engines get dagster-dbt's events unchanged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import dagster as dg
import duckdb

from orchestration.config import settings
from orchestration.resources import warehouse as warehouse_resource

log = logging.getLogger(__name__)

SAMPLE_ROWS = 5


def _text(metadata: Mapping[str, Any], key: str) -> str | None:
    value = metadata.get(key)
    return getattr(value, "value", value) if value is not None else None


def relation(node: Mapping[str, Any]) -> str:
    """``"schema"."alias"``: the catalog name depends on the file name, so it is left out."""
    return f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'


def _markdown(columns: list[str], rows: list[tuple]) -> str:
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns)
    body = "\n".join("| " + " | ".join(str(v) for v in row) + " |" for row in rows)
    return head + "\n" + body


def enrich(
    events: Iterable[Any],
    nodes: Mapping[str, Mapping[str, Any]],
    compiled_sql: Callable[[], Mapping[str, str]],
) -> Iterator[Any]:
    """Yield ``events`` (consumed first: dbt must have exited) with the added metadata.

    ``nodes`` are the manifest's nodes by unique_id; ``compiled_sql()`` gives the compiled SQL of
    the tests by unique_id (from run_results.json, once dbt has finished).
    """
    events = list(events)
    cfg = settings()
    if cfg.dbt_target != "duckdb" or not cfg.warehouse_path.exists():
        yield from events
        return
    try:
        con = warehouse_resource(path=cfg.warehouse_path).open(read_only=True)
    except duckdb.Error as exc:  # someone else holds the writer lock: metadata is optional
        log.warning("no row counts: %s", exc)
        yield from events
        return
    compiled = compiled_sql() if any(_failed_check(e) for e in events) else {}
    with con:
        for event in events:
            yield _with_metadata(con, event, nodes, compiled)


def _failed_check(event: Any) -> bool:
    return isinstance(event, dg.AssetCheckResult) and not event.passed


def _with_metadata(
    con: duckdb.DuckDBPyConnection,
    event: Any,
    nodes: Mapping[str, Mapping[str, Any]],
    compiled: Mapping[str, str],
) -> Any:
    unique_id = _text(getattr(event, "metadata", None) or {}, "unique_id")
    if unique_id is None:
        return event
    try:
        if isinstance(event, dg.Output | dg.AssetMaterialization) and unique_id in nodes:
            node = nodes[unique_id]
            if node.get("config", {}).get("materialized") == "ephemeral":
                return event
            (count,) = con.execute(f"select count(*) from {relation(node)}").fetchone()
            return event.with_metadata({**event.metadata, "dagster/row_count": int(count)})
        if isinstance(event, dg.AssetCheckResult) and not event.passed and unique_id in compiled:
            cursor = con.execute(f"select * from ({compiled[unique_id]}) as t limit {SAMPLE_ROWS}")
            columns = [c[0] for c in cursor.description]
            rows = cursor.fetchall()
            sample = dg.MetadataValue.md(_markdown(columns, rows))
            return event.with_metadata({**event.metadata, "failing_rows_sample": sample})
    except duckdb.Error as exc:
        log.warning("metadata for %s: %s", unique_id, exc)
    return event


def compiled_tests(run_results: Mapping[str, Any] | None) -> dict[str, str]:
    """unique_id -> compiled SQL of every test in a run_results.json."""
    return {
        r["unique_id"]: r["compiled_code"]
        for r in (run_results or {}).get("results", [])
        if r.get("unique_id", "").startswith("test.") and r.get("compiled_code")
    }

"""Run one :class:`~orchestration.quality.suites.CheckSpec` in the warehouse through GX.

Every batch becomes a GX query asset on the read-only DuckDB datasource; GX pushes each
metric down as SQL (no table is loaded into pandas). An aggregate batch (one pass over a big
table returning a few rows of counts) is run once in the warehouse first and GX validates
its result as a literal ``values`` query, so each table is scanned once per batch instead of
once per expectation. The outcome lists the failing
expectations with their observed values and a sample of failing rows, ready for Dagster
metadata, the run summary and the Data Docs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.quality.suites import SUITES_VERSION, CheckSpec
from orchestration.resources import warehouse as warehouse_resource

if TYPE_CHECKING:
    from great_expectations.core import ExpectationValidationResult


@dataclass
class CheckOutcome:
    """Result of one check: what Dagster, the summary and the Data Docs need."""

    name: str
    layer: str
    asset_key: tuple[str, ...]
    severity: str
    passed: bool
    failures: list[dict[str, Any]] = field(default_factory=list)
    observed: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    elapsed_seconds: float = 0.0
    validation_results: list[dict] = field(default_factory=list)

    @property
    def message(self) -> str:
        """One line saying why the check failed (or that it passed)."""
        if self.passed:
            return self.note or "all expectations met"
        return "; ".join(f["message"] for f in self.failures) or (self.note or "failed")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "layer": self.layer,
            "asset_key": list(self.asset_key),
            "severity": self.severity,
            "passed": self.passed,
            "message": self.message,
            "failures": self.failures,
            "observed": self.observed,
            "note": self.note,
            "elapsed_seconds": round(self.elapsed_seconds, 3),
            "suites_version": SUITES_VERSION,
        }


def missing_relations(warehouse_path: Path, relations: tuple[str, ...]) -> list[str]:
    """Relations (``schema.name``) absent from the warehouse; read-only, closed on return."""
    wh = warehouse_resource(path=warehouse_path)
    if not wh.exists():
        return list(relations)
    with wh.connect(read_only=True) as con:
        present = {
            f"{s}.{n}".lower()
            for s, n in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
    return [r for r in relations if r.lower() not in present]


def _observed(result: dict) -> Any:
    if "observed_value" in result:
        return result["observed_value"]
    keys = ("element_count", "unexpected_count", "unexpected_percent", "partial_unexpected_counts")
    return {k: result[k] for k in keys if k in result}


def _failure(er: ExpectationValidationResult, batch_name: str, sample_rows: int) -> dict[str, Any]:
    cfg = er.expectation_config
    result = er.result or {}
    exc = er.exception_info or {}
    error = None
    if exc.get("raised_exception"):
        error = exc.get("exception_message")
    elif exc and not result:  # metric errors are keyed by metric id
        error = next(
            (v.get("exception_message") for v in exc.values() if isinstance(v, dict)), None
        )
    kwargs = {k: v for k, v in cfg.kwargs.items() if k not in ("batch_id",)}
    message = cfg.description or cfg.type
    if error:
        message += f" (error: {error})"
    elif "unexpected_count" in result:
        message += f": {result['unexpected_count']} of {result.get('element_count')} rows fail"
    elif "observed_value" in result:
        message += f": observed {result['observed_value']}"
    return {
        "batch": batch_name,
        "expectation": cfg.type,
        "kwargs": kwargs,
        "message": message,
        "observed": _observed(result),
        "unexpected_count": result.get("unexpected_count"),
        "unexpected_percent": result.get("unexpected_percent"),
        "sample": (
            result.get("partial_unexpected_index_list")
            or result.get("partial_unexpected_list")
            or []
        )[:sample_rows],
        "error": error,
    }


def _jsonable(value: Any) -> Any:
    import json

    return json.loads(json.dumps(value, default=str))


def run_check(
    spec: CheckSpec,
    warehouse_path: Path | str,
    sample_rows: int = 5,
    batch_ids: list[str] | None = None,
) -> CheckOutcome:
    """Validate every batch of ``spec`` against the warehouse (read-only) and summarise.

    ``batch_ids``: the ingestion batches of the run, for the run-scoped checks (``None``:
    judge every load)."""
    started = time.perf_counter()
    outcome = CheckOutcome(spec.name, spec.layer, spec.asset_key, spec.severity, passed=True)
    missing = missing_relations(Path(warehouse_path), spec.relations)
    if missing and set(missing) <= set(spec.built_later):
        outcome.note = (
            f"skipped: {', '.join(missing)} is built later in the run and does not exist yet "
            "(first run); judged from the next run on"
        )
        outcome.elapsed_seconds = time.perf_counter() - started
        return outcome
    if missing:
        outcome.passed = False
        outcome.note = (
            f"relation(s) not found: {', '.join(missing)} (see tables: in thresholds.yml)"
        )
        outcome.failures.append(
            {
                "batch": None,
                "expectation": "relation_exists",
                "kwargs": {},
                "message": outcome.note,
                "observed": None,
                "sample": [],
                "error": None,
            }
        )
        outcome.elapsed_seconds = time.perf_counter() - started
        return outcome
    batches = spec.build(batch_ids) if spec.run_scoped else spec.build()
    if not batches:
        outcome.note = "nothing to compare yet (no previous run / no history)"
    # imported here, not at module level: GX takes seconds to import and the Dagster code
    # location imports this module only to declare the checks
    import great_expectations as gx

    from orchestration.quality.gx_duckdb import ephemeral_context, warehouse_datasource

    context = ephemeral_context()
    # aggregate batches run first, on their own read-only connection (DuckDB refuses a
    # second connection to the file with another configuration while GX holds one)
    computed = {
        i: _computed(warehouse_path, b.query.strip()) for i, b in enumerate(batches) if b.aggregate
    }
    with warehouse_datasource(context, warehouse_path) as datasource:
        for i, batch in enumerate(batches):
            query, rows = computed.get(i, (batch.query.strip(), None))
            asset = datasource.add_query_asset(
                name=batch.name, query=f"select * from ({query}) as {batch.name}_rows"
            )
            definition = asset.add_batch_definition_whole_table("all")
            suite = gx.ExpectationSuite(
                name=f"{spec.layer}.{'.'.join(spec.asset_key)}.{spec.name}.{batch.name}",
                expectations=list(batch.expectations),
                meta={"suites_version": SUITES_VERSION, "severity": spec.severity},
            )
            result_format: dict[str, Any] = {
                "result_format": "SUMMARY",
                "partial_unexpected_count": sample_rows,
            }
            if batch.id_columns:
                result_format["unexpected_index_column_names"] = batch.id_columns
            result = definition.get_batch().validate(suite, result_format=result_format)
            outcome.validation_results.append(_jsonable(result.to_json_dict()))
            for er in result.results:
                cfg = er.expectation_config
                key = f"{batch.name}.{cfg.kwargs.get('column', cfg.type)}"
                if er.success:
                    outcome.observed[key] = _jsonable(_observed(er.result or {}))
                else:
                    outcome.passed = False
                    failure = _jsonable(_failure(er, batch.name, sample_rows))
                    if rows is not None and len(rows) == 1:
                        failure = _aggregate_failure(failure, cfg, rows[0], batch.id_columns)
                    outcome.observed[key] = failure["observed"]
                    outcome.failures.append(failure)
    if spec.run_scoped and outcome.passed and not _rows_judged(outcome):
        outcome.note = "no new load in this run: earlier loads were judged when loaded"
    outcome.elapsed_seconds = time.perf_counter() - started
    return outcome


def _literal(value: Any) -> str:
    """A Python value fetched from DuckDB as a SQL literal (for the ``values`` query)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f"'{value}'::double precision"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime):
        kind = "timestamptz" if value.tzinfo else "timestamp"
        return f"{kind} '{value.isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"date '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _computed(warehouse_path: Path | str, query: str) -> tuple[str, list[dict[str, Any]]]:
    """Run an aggregate batch once (read-only) and return its result as a ``values`` query
    for GX, with the rows as dicts (for failure messages)."""
    with warehouse_resource(path=warehouse_path).connect(read_only=True) as con:
        cursor = con.execute(query)
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    quoted = ", ".join('"' + n.replace('"', '""') + '"' for n in names)
    if not rows:
        nulls = ", ".join("null" for _ in names)
        return f"select * from (values ({nulls})) as v({quoted}) where false", []
    values = ", ".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in rows)
    return f"select * from (values {values}) as v({quoted})", [
        dict(zip(names, row, strict=True)) for row in rows
    ]


def _aggregate_failure(
    failure: dict[str, Any], cfg: Any, row: dict[str, Any], id_columns: list[str]
) -> dict[str, Any]:
    """Say a failed rule of a one-row aggregate in rows of the table: "<rule>: N of M rows
    fail", with the row's sample columns (e.g. the unknown values) as the sample."""
    column = cfg.kwargs.get("column")
    if column and column.endswith("_rows") and "rows" in row:
        failure["message"] = (
            f"{cfg.description or cfg.type}: {row[column]} of {row['rows']} rows fail"
        )
        failure["observed"] = row[column]
    elif column in row:
        failure["message"] = f"{cfg.description or cfg.type}: observed {row[column]}"
        failure["observed"] = row[column]
    failure["sample"] = _jsonable([{k: row.get(k) for k in id_columns}])
    return failure


def _rows_judged(outcome: CheckOutcome) -> int:
    """Rows the expectations looked at (0: the run loaded nothing for a run-scoped check)."""
    counts = [v.get("element_count", 0) for v in outcome.observed.values() if isinstance(v, dict)]
    return max(counts, default=0)

"""GX 1.x over DuckDB: a SQL datasource whose metrics run in the warehouse, read-only.

Why a datasource subclass: GX's ``SqlAlchemyExecutionEngine.execute_query`` closes its
SQLAlchemy connection *before* the caller fetches the rows. With ``duckdb_engine`` the
closed connection yields no rows, so every metric raises ``IndexError: list index out of
range`` and every expectation silently "fails" (GX issue #10738 / #11579). GX already keeps
one persisted connection for SQLite / SQL Server / BigQuery / Databricks
(``_PERSISTED_CONNECTION_DIALECTS``); :class:`PersistedConnectionEngine` applies the same
handling to DuckDB, and :func:`warehouse_datasource` closes that connection (and disposes the
engine) when the validation is over, so a check never outlives its step holding the file.

The connection is opened with ``read_only=True``: a check can never take DuckDB's single
writer lock, and a ``dbt build`` right after a check succeeds.
"""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import great_expectations as gx
import sqlalchemy
from great_expectations.datasource.fluent import SQLDatasource
from great_expectations.execution_engine import SqlAlchemyExecutionEngine

from orchestration.resources import warehouse as warehouse_resource

DATASOURCE_NAME = "warehouse"


class PersistedConnectionEngine(SqlAlchemyExecutionEngine):
    """SQLAlchemy execution engine that keeps one open connection until :meth:`close`."""

    @contextmanager
    def get_connection(self) -> Iterator[sqlalchemy.engine.Connection]:  # type: ignore[override]
        connection = getattr(self, "_connection", None)
        if connection is None or connection.closed:
            self._connection = self.engine.connect()
        yield self._connection

    def close(self) -> None:
        connection = getattr(self, "_connection", None)
        if connection is not None and not connection.closed:
            connection.close()
        self._connection = None
        self.engine.dispose()


class LeadhouseDuckDBDatasource(SQLDatasource):
    """GX fluent SQL datasource for DuckDB with a persisted (kept-open) connection."""

    type: Literal["leadhouse_duckdb"] = "leadhouse_duckdb"

    @property
    def execution_engine_type(self) -> builtins.type[SqlAlchemyExecutionEngine]:
        return PersistedConnectionEngine


def ephemeral_context() -> gx.data_context.AbstractDataContext:
    """An in-memory GX context: no great_expectations/ folder is written anywhere."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    # init_temp_docs_sites=False: GX's default ephemeral config adds a docs site in a new
    # temporary folder per context; Data Docs go to LEADHOUSE_OUTPUT instead (data_docs.py).
    # progress_bars off: checks run inside Dagster steps and `make run`, whose logs are read
    # by people, not watched as a terminal.
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


@contextmanager
def warehouse_datasource(
    context: gx.data_context.AbstractDataContext, warehouse_path: Path | str
) -> Iterator[LeadhouseDuckDBDatasource]:
    """Add the read-only warehouse datasource to ``context`` (the URL of the configured
    engine's resource: DuckDB, or PostgreSQL through psycopg); close every connection on exit."""
    url, connect_args = warehouse_resource(path=Path(warehouse_path)).sqlalchemy(read_only=True)
    datasource = context.data_sources.add_leadhouse_duckdb(
        name=DATASOURCE_NAME, connection_string=url, kwargs={"connect_args": connect_args}
    )
    try:
        yield datasource
    finally:
        engine = datasource._execution_engine  # built lazily by the first validation
        if engine is not None:
            engine.close()
        if datasource._engine is not None:
            datasource._engine.dispose()

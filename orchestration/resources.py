"""The warehouse as a Dagster resource, one per engine: the only place a warehouse connection
is opened (docs/engines.md).

``LEADHOUSE_TARGET`` (orchestration/config.py) chooses the engine: :func:`warehouse` returns
the resource, ``warehouse().connect(read_only=...)`` a connection for one block. Callers use
a small engine-neutral surface of that connection:

* ``execute(sql, params)`` returning something with ``fetchall()`` / ``fetchone()``;
  parameters are written the DuckDB way (``?`` positional, ``$name`` with a dict) and the
  PostgreSQL connection translates them to psycopg's;
* ``begin()`` / ``commit()`` / ``rollback()``;
* :func:`bulk_load`: a DuckDB relation (or a Parquet/CSV file read by DuckDB) into a
  warehouse table: ``insert ... select`` on DuckDB, ``COPY ... from stdin`` on PostgreSQL;
* :func:`missing_relation`: is this exception "the table does not exist (yet)"?

The DuckDB connection is DuckDB's own ``DuckDBPyConnection`` (every DuckDB API keeps
working); the PostgreSQL one wraps a psycopg 3 connection. Spark is a placeholder: dbt builds
on it (the ``spark`` target), no Python code reads or writes it yet.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import psycopg
from dagster_duckdb import DuckDBResource

from orchestration.config import postgres_params, secret, settings

#: DuckDB type names → PostgreSQL ones, for tables created from a DuckDB relation.
_PG_TYPES = {
    "VARCHAR": "text",
    "JSON": "jsonb",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "TIMESTAMP": "timestamp",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric",
    "SMALLINT": "smallint",
    "BOOLEAN": "boolean",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "UUID": "uuid",
}


class UnsupportedEngine(RuntimeError):
    """The chosen engine cannot do this (yet): the message says what and what to use."""


class DuckDBWarehouse(DuckDBResource):
    """The embedded DuckDB file (default engine).

    dagster-duckdb's ``DuckDBResource`` (its ``database``/``connection_config`` fields and
    ``get_connection()`` keep working), plus :meth:`connect`: read-only when only reading (so
    checks and reports never take the one writer lock), closed even when the block fails, UTC
    sessions, ``memory_limit`` from ``LEADHOUSE_DUCKDB_MEMORY_LIMIT`` and no progress bar.
    """

    engine: str = "duckdb"
    memory_limit: str = "4GB"

    @property
    def location(self) -> str:
        return self.database

    def exists(self) -> bool:
        return Path(self.database).exists()

    def open(self, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A new connection; the caller closes it (prefer :meth:`connect`)."""
        db = Path(self.database)
        if not read_only:
            db.parent.mkdir(parents=True, exist_ok=True)
        # above the memory limit DuckDB spills to ``<file>.tmp`` rather than failing
        con = duckdb.connect(str(db), read_only=read_only, config=dict(self.connection_config))
        return _duckdb_session(con, self.memory_limit)

    def connect(
        self, *, read_only: bool = False
    ) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """A connection for the block, closed on exit (even when the block fails)."""
        return closing(self.open(read_only=read_only))

    def sqlalchemy(self, *, read_only: bool = True) -> tuple[str, dict]:
        """(URL, ``connect_args``) for SQLAlchemy users (the GX checks)."""
        return f"duckdb:///{Path(self.database)}", {"read_only": read_only}

    @contextmanager
    def scratch(self, con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
        """Where ingestion parses files: the warehouse connection itself (temp tables)."""
        yield con


def _translate(sql: str, params: object) -> str:
    """DuckDB-style parameters (``?``, ``$name``) → psycopg's (``%s``, ``%(name)s``); a
    literal ``%`` is doubled when parameters are passed. String literals are left alone
    (except for ``%``)."""
    if params is None:
        return sql
    parts = re.split(r"('(?:[^']|'')*')", sql)
    out = []
    for i, part in enumerate(parts):
        part = part.replace("%", "%%")
        if i % 2 == 0:  # outside string literals
            part = part.replace("?", "%s")
            part = re.sub(r"\$([A-Za-z_]\w*)", r"%(\1)s", part)
        out.append(part)
    return "".join(out)


class PostgresConnection:
    """A psycopg 3 connection with the DuckDB-like surface Leadhouse uses: ``execute`` returns
    a cursor (``fetchall``/``fetchone``/``description``), autocommit unless ``begin()``."""

    engine = "postgres"

    def __init__(self, raw: Any) -> None:  # noqa: ANN401 - psycopg.Connection
        self.raw = raw
        self._cursor = raw.cursor()

    def execute(self, sql: str, params: Sequence | dict | None = None) -> Any:  # noqa: ANN401
        self._cursor.execute(_translate(sql, params), params)
        return self._cursor

    def executemany(self, sql: str, rows: Sequence) -> None:
        self._cursor.executemany(_translate(sql, ()), rows)

    def fetchall(self) -> list[tuple]:
        return self._cursor.fetchall()

    def fetchone(self) -> tuple | None:
        return self._cursor.fetchone()

    def begin(self) -> None:
        self.raw.execute("begin")

    def commit(self) -> None:
        self.raw.execute("commit")

    def rollback(self) -> None:
        self.raw.execute("rollback")

    def close(self) -> None:
        self.raw.close()


class PostgresWarehouse(dg.ConfigurableResource):
    """A PostgreSQL database through psycopg 3: the ``postgres`` dbt target's connection
    (``LEADHOUSE_PG_*``). Sessions in UTC; read-only sessions refuse writes."""

    engine: str = "postgres"
    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "postgres"
    password_env: str = "LEADHOUSE_PG_PASSWORD"  # the secret stays in the environment
    dbname: str = "leadhouse"

    @property
    def location(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"

    def _connect_raw(self, *, read_only: bool) -> Any:  # noqa: ANN401 - psycopg.Connection
        options = "-c TimeZone=UTC" + (" -c default_transaction_read_only=on" if read_only else "")
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=secret(self.password_env),
            dbname=self.dbname,
            options=options,
            autocommit=True,
        )

    def exists(self) -> bool:
        """The server answers and the database exists."""
        try:
            self._connect_raw(read_only=True).close()
        except psycopg.OperationalError:
            return False
        return True

    def open(self, *, read_only: bool = False) -> PostgresConnection:
        """A new connection; the caller closes it (prefer :meth:`connect`)."""
        return PostgresConnection(self._connect_raw(read_only=read_only))

    def connect(self, *, read_only: bool = False) -> AbstractContextManager[PostgresConnection]:
        """A connection for the block, closed on exit (even when the block fails)."""
        return closing(self.open(read_only=read_only))

    def sqlalchemy(self, *, read_only: bool = True) -> tuple[str, dict]:
        """(URL, ``connect_args``) for SQLAlchemy users (the GX checks); the password goes in
        ``connect_args``, never in the URL (which GX may log)."""
        options = "-c TimeZone=UTC" + (" -c default_transaction_read_only=on" if read_only else "")
        args: dict = {"options": options}
        if password := secret(self.password_env):
            args["password"] = password
        url = f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{self.dbname}"
        return url, args

    @contextmanager
    def scratch(self, con: PostgresConnection) -> Iterator[duckdb.DuckDBPyConnection]:
        """An in-memory DuckDB where ingestion parses files before COPY."""
        scratch = memory_duckdb()
        try:
            yield scratch
        finally:
            scratch.close()


def memory_duckdb() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB used as a parsing or compute engine, not the warehouse (files read
    at ingestion, CRM sync plans, calibration features, publish copies): UTC session, the
    configured ``memory_limit``, no progress bar. The caller closes it."""
    return _duckdb_session(duckdb.connect(), settings().duckdb_memory_limit)


def _duckdb_session(con: duckdb.DuckDBPyConnection, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """``con`` with Leadhouse's session settings: UTC, ``memory_limit``, no progress bar (closed
    if setting them fails)."""
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"set memory_limit = '{memory_limit}'")
        con.execute("set enable_progress_bar = false")
    except BaseException:
        con.close()
        raise
    return con


class SparkWarehouse(dg.ConfigurableResource):
    """Placeholder: dbt builds the models on Spark (the ``spark`` target of
    dbt_project/profiles.yml); ingestion, the checks, hand-offs, the summary and the syncs
    have no Spark connection yet. Every ``connect`` says so."""

    engine: str = "spark"

    @property
    def location(self) -> str:
        return "spark (dbt target 'spark')"

    def exists(self) -> bool:
        return False

    def open(self, *, read_only: bool = False) -> Any:  # noqa: ANN401
        raise self.unsupported()

    def sqlalchemy(self, *, read_only: bool = True) -> tuple[str, dict]:
        raise self.unsupported()

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[Any]:
        raise self.unsupported()
        yield  # pragma: no cover - a generator for contextmanager

    @staticmethod
    def unsupported() -> UnsupportedEngine:
        return UnsupportedEngine(
            "LEADHOUSE_TARGET=spark: Leadhouse's Python steps (ingestion, checks, hand-offs, "
            "summary, syncs) do not run on Spark yet; only the dbt models do (`dbt build "
            "--target spark`). Load raw.* into Spark yourself, or use duckdb/postgres "
            "(docs/engines.md)."
        )


Warehouse = DuckDBWarehouse | PostgresWarehouse | SparkWarehouse


def require_engine(feature: str, *engines: str, why: str = "") -> None:
    """Raise :class:`UnsupportedEngine` when ``LEADHOUSE_TARGET`` is not one of ``engines``:
    one clear sentence instead of a failure halfway (docs/engines.md lists what runs where)."""
    target = settings().target
    if target not in engines:
        raise UnsupportedEngine(
            f"{feature} is not supported on LEADHOUSE_TARGET={target} yet "
            f"({' or '.join(engines)} only{': ' + why if why else ''}; docs/engines.md)"
        )


def warehouse(target: str | None = None, *, path: Path | str | None = None) -> Warehouse:
    """The warehouse resource of ``target`` (default ``LEADHOUSE_TARGET``); ``path`` overrides
    the DuckDB file (``LEADHOUSE_WAREHOUSE``)."""
    cfg = settings()
    engine = target or cfg.target
    if engine == "duckdb":
        return DuckDBWarehouse(
            database=str(path if path is not None else cfg.warehouse_path),
            memory_limit=cfg.duckdb_memory_limit,
        )
    if engine == "postgres":
        pg = postgres_params()
        return PostgresWarehouse(
            host=str(pg["host"]),
            port=int(pg["port"]),
            user=str(pg["user"]),
            dbname=str(pg["dbname"]),
        )
    if engine == "spark":
        return SparkWarehouse()
    raise ValueError(f"unknown LEADHOUSE_TARGET {engine!r} (duckdb, postgres or spark)")


class WarehouseResource(dg.ConfigurableResource):
    """The Dagster resource ``warehouse`` that assets and checks receive: the engine's
    resource above, chosen by ``target`` (default: ``LEADHOUSE_TARGET`` when the step runs,
    so tests and the CLI can point a run at another warehouse through the environment)."""

    target: str | None = None

    def get(self) -> Warehouse:
        return warehouse(self.target)

    @contextmanager
    def connect(
        self, *, read_only: bool = False
    ) -> Iterator[duckdb.DuckDBPyConnection | PostgresConnection]:
        with self.get().connect(read_only=read_only) as con:
            yield con


@contextmanager
def connect(
    path: Path | str | None = None, *, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection | PostgresConnection]:
    """Open the configured warehouse for the block (``path``: another DuckDB file)."""
    with warehouse(path=path).connect(read_only=read_only) as con:
        yield con


#: What a failed warehouse statement or connection raises, on any engine.
WAREHOUSE_ERRORS: tuple[type[BaseException], ...] = (duckdb.Error, psycopg.Error)


def engine_of(con: object) -> str:
    return getattr(con, "engine", "duckdb")


def missing_relation(exc: BaseException) -> bool:
    """True when ``exc`` says a table or schema does not exist (on any engine)."""
    if isinstance(exc, duckdb.CatalogException):
        return True
    return isinstance(exc, psycopg.errors.UndefinedTable | psycopg.errors.InvalidSchemaName)


def pg_type(duckdb_type: str) -> str:
    """The PostgreSQL type for a DuckDB type name (lists and structs as jsonb)."""
    name = str(duckdb_type).upper()
    if name.startswith("DECIMAL"):
        return name.lower().replace("decimal", "numeric")
    if name.endswith("[]") or name.startswith(("STRUCT", "MAP")):
        return "jsonb"
    return _PG_TYPES.get(name, "text")


def bulk_load(
    con: duckdb.DuckDBPyConnection | PostgresConnection,
    rel: duckdb.DuckDBPyRelation,
    table: str,
    *,
    create_temp: bool = False,
) -> int:
    """Append the rows of a DuckDB relation to ``table`` of the warehouse (columns by name),
    or create ``table`` as a temp table holding them (``create_temp``). Returns the rows.

    DuckDB: ``insert into ... select`` (``rel`` must belong to ``con``). PostgreSQL: the
    relation is written to a temporary CSV by DuckDB and streamed with ``COPY ... from stdin``
    (NULL and '' stay distinct: DuckDB quotes empty strings, COPY reads unquoted empties as
    NULL)."""
    columns = list(rel.columns)
    names = ", ".join(columns)
    if engine_of(con) == "duckdb":
        view = "_bulk_load_source"
        rel.create_view(view, replace=True)
        try:
            if create_temp:
                con.execute(f"create or replace temp table {table} as select * from {view}")
                return con.execute(f"select count(*) from {table}").fetchone()[0]
            return con.execute(
                f"insert into {table} ({names}) select {names} from {view}"
            ).fetchone()[0]
        finally:
            con.execute(f"drop view if exists {view}")
    if create_temp:
        cols = ", ".join(f"{c} {pg_type(t)}" for c, t in zip(columns, rel.types, strict=True))
        con.execute(f"drop table if exists {table}")
        con.execute(f"create temp table {table} ({cols})")
    with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        rel.select(
            *(
                f'"{c}"::varchar as "{c}"' if str(t).endswith("[]") else f'"{c}"'
                for c, t in zip(columns, rel.types, strict=True)
            )
        ).write_csv(tmp.name, header=False)
        with (
            con.raw.cursor() as cur,
            cur.copy(f"copy {table} ({names}) from stdin (format csv)") as copy,
            open(tmp.name, "rb") as f,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
    return rel.aggregate("count(*)").fetchall()[0][0]


#: PostgreSQL type names (psycopg's) → DuckDB ones, for :func:`unload`.
_DUCKDB_TYPES = {
    "text": "varchar",
    "varchar": "varchar",
    "bpchar": "varchar",
    "int2": "smallint",
    "int4": "integer",
    "int8": "bigint",
    "float4": "float",
    "float8": "double",
    "bool": "boolean",
    "date": "date",
    "timestamp": "timestamp",
    "timestamptz": "timestamptz",
    "json": "json",
    "jsonb": "json",
    "uuid": "uuid",
}


def unload(con: PostgresConnection, query: str, into: duckdb.DuckDBPyConnection, table: str) -> int:
    """The rows of ``query`` on PostgreSQL as ``table`` of a DuckDB connection (``COPY ... TO
    STDOUT`` as CSV, read back by DuckDB with the query's column types): DuckDB as the compute
    engine over warehouse rows. ``table``'s schema is created when missing. Returns the rows."""
    qualifier = table.rpartition(".")[0]
    if qualifier:
        into.execute(f"create schema if not exists {qualifier}")
    cur = con.raw.cursor()
    cur.execute(f"select * from ({query}) as q limit 0")
    columns = {}
    for d in cur.description:
        name = con.raw.adapters.types.get(d.type_code)
        kind = _DUCKDB_TYPES.get(name.name if name else "", "varchar")
        if name is not None and name.name == "numeric":
            kind = f"decimal({d.precision or 38}, {d.scale or 0})" if d.precision else "double"
        columns[d.name] = kind
    with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        with open(tmp.name, "wb") as f, cur.copy(f"copy ({query}) to stdout (format csv)") as copy:
            for chunk in copy:
                f.write(chunk)
        if Path(tmp.name).stat().st_size == 0:  # no rows: nothing for the CSV reader to read
            cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
            into.execute(f"create or replace table {table} ({cols})")
        else:
            into.execute(
                f"create or replace table {table} as select * from read_csv(?, header = false, "
                f"columns = {columns!r}, delim = ',', quote = '\"', escape = '\"', "
                "auto_detect = false, allow_quoted_nulls = false)",
                [tmp.name],
            )
    return into.execute(f"select count(*) from {table}").fetchone()[0]


def bulk_load_file(
    con: duckdb.DuckDBPyConnection | PostgresConnection, path: Path | str, table: str
) -> int:
    """Append a Parquet or CSV file (read by DuckDB in memory) to ``table``."""
    if engine_of(con) == "duckdb":
        return bulk_load(con, _read(con, path), table)
    reader = memory_duckdb()
    try:
        return bulk_load(con, _read(reader, path), table)
    finally:
        reader.close()


def _read(con: duckdb.DuckDBPyConnection, path: Path | str) -> duckdb.DuckDBPyRelation:
    path = str(path)
    return con.from_parquet(path) if path.endswith(".parquet") else con.read_csv(path)

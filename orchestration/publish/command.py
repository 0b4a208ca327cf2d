"""``leadhouse publish``: show which version of the analytics database BI reads, or roll back to
the previous one (``--rollback``). Publishing itself is the ``published_analytics`` asset at the
end of ``leadhouse run``: only a run whose blocking checks all passed publishes."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from orchestration.config import postgres_params, settings
from orchestration.publish import duckdb_file, postgres
from orchestration.publish.duckdb_file import NothingToRollBack, PublishReport
from orchestration.publish.spec import default_spec


def _on_postgres() -> bool:
    return settings().dbt_target == "postgres"


def _pg_schema() -> str:
    return settings().publish_pg_schema


@contextlib.contextmanager
def _pg() -> Iterator[object]:
    import psycopg2

    con = psycopg2.connect(**postgres_params())
    try:
        yield con
    finally:
        con.close()


def publish_now(run_id: str) -> PublishReport:
    """Publish the warehouse's marts as they are now (the asset calls this after the checks)."""
    cfg = settings()
    if _on_postgres():
        with _pg() as con:
            return postgres.publish(
                con,
                default_spec(),
                run_id,
                schema=_pg_schema(),
                reader_role=cfg.publish_pg_role,
            )
    return duckdb_file.publish(cfg.warehouse_path, cfg.analytics_path, default_spec(), run_id)


def _describe(name: str, info: dict | None) -> str:
    if info is None:
        return f"  {name:<9} (none)"
    return (
        f"  {name:<9} run {info['source_run_id']}, published {info['published_at']}, "
        f"data as of {info['data_as_of']}, {info['relations']} relations, "
        f"{info['total_rows']:,} rows"
    )


def status() -> str:
    if _on_postgres():
        schema = _pg_schema()
        with _pg() as con:
            current = postgres.version_info(con, schema)
            previous = postgres.version_info(con, schema + "__previous")
        where = f"PostgreSQL schema {schema} (previous: {schema}__previous)"
    else:
        path = settings().analytics_path
        current = duckdb_file.version_info(path)
        previous = duckdb_file.version_info(duckdb_file.previous_path(path))
        where = str(path)
    return "\n".join(
        [f"Published: {where}", _describe("current", current), _describe("previous", previous)]
    )


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rollback",
        action="store_true",
        help="put the previous version back (atomically); the replaced one becomes the previous",
    )


def run(args: argparse.Namespace) -> int:
    if args.rollback:
        try:
            if _on_postgres():
                with _pg() as con:
                    seconds = postgres.rollback(con, _pg_schema())
            else:
                seconds = duckdb_file.rollback(settings().analytics_path)
        except NothingToRollBack as exc:
            print(f"nothing to roll back: {exc}")
            return 1
        print(f"rolled back in {seconds * 1000:.1f} ms")
    print(status())
    return 0

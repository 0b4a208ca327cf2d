"""The same core models on PostgreSQL (the cross-database macros): build the raw fixture on a
throw-away local server and compare the marts with the DuckDB build."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

from tests.integration.dbt_core.conftest import DbtCore

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

QUERIES = {
    "leads": "select count(*) from marts.dim_leads",
    "interactions": "select count(*) from marts.fct_interactions",
    "stitched": "select count(*) from marts.fct_interactions where is_stitched",
    "sessions": "select count(*) from marts.fct_web_sessions",
    "opportunities_won": "select count(*) from marts.fct_opportunities where is_won",
    "jane": "select seniority || '/' || job_function || '/' || employee_count || '/' || region "
    "from marts.dim_leads d join intermediate.int_identity__leads i using (lead_id) "
    "where i.email = 'jane@acme.com'",
    "lead_ids": "select min(lead_id) || max(lead_id) from marts.dim_leads",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    """initdb/pg_ctl refuse to run as root: use the 'postgres' account then."""
    if os.geteuid() != 0:
        return cmd
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]


@pytest.fixture(scope="module")
def postgres():
    if not (shutil.which("initdb") and shutil.which("pg_ctl")):
        pytest.skip("no PostgreSQL server binaries on PATH")
    if os.geteuid() == 0:
        try:
            server_user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a 'postgres' account")
    # Its own directory in the system temp dir, not under pytest's (pytest-of-<user> is made
    # 0700 again by every pytest session that starts, which would lock the server user out).
    root = Path(tempfile.mkdtemp(prefix="leadhouse-pg-"))
    data, port = root / "data", _free_port()
    if os.geteuid() == 0:
        os.chown(root, server_user.pw_uid, server_user.pw_gid)
    subprocess.run(
        _as_server_user(["initdb", "-D", str(data), "-U", "postgres", "--auth=trust"]),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        _as_server_user(
            [
                "pg_ctl",
                "-D",
                str(data),
                "-l",
                str(root / "log"),
                "-w",
                "-o",
                # a throw-away server: no durability (fsync off), loopback only
                f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        import psycopg2

        for _ in range(50):
            try:
                con = psycopg2.connect(
                    host="127.0.0.1", port=port, user="postgres", dbname="postgres"
                )
                break
            except psycopg2.OperationalError:
                time.sleep(0.2)
        con.autocommit = True
        con.cursor().execute("create database leadhouse")
        con.close()
        yield port
    finally:
        subprocess.run(
            _as_server_user(["pg_ctl", "-D", str(data), "-m", "fast", "stop"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def copy_raw_to_postgres(duckdb_path: Path, port: int) -> None:
    """Copy raw.* of a DuckDB warehouse into PostgreSQL (json → jsonb, timestamptz kept)."""
    import psycopg2

    types = {"JSON": "jsonb", "TIMESTAMP WITH TIME ZONE": "timestamptz", "VARCHAR": "text"}
    with duckdb.connect(str(duckdb_path), read_only=True) as src:
        src.execute("set TimeZone = 'UTC'")
        pg = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname="leadhouse")
        pg.autocommit = True
        cur = pg.cursor()
        cur.execute("create schema if not exists raw")
        tables = src.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
        for (table,) in tables:
            cols = src.execute(
                "select column_name, data_type from information_schema.columns "
                f"where table_schema = 'raw' and table_name = '{table}' order by ordinal_position"
            ).fetchall()
            cur.execute(
                f"create table raw.{table} ({', '.join(f'{c} {types.get(t, t.lower())}' for c, t in cols)})"
            )
            select = ", ".join(f"{c}::varchar" if t == "JSON" else c for c, t in cols)
            rows = src.execute(f"select {select} from raw.{table}").fetchall()
            if rows:
                cur.executemany(
                    f"insert into raw.{table} values ({', '.join(['%s'] * len(cols))})", rows
                )
        pg.close()


def test_postgres_build_matches_duckdb(fixture_warehouse, postgres, tmp_path, monkeypatch):
    import psycopg2

    copy_raw_to_postgres(fixture_warehouse.warehouse, postgres)
    monkeypatch.setenv("LEADHOUSE_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("LEADHOUSE_PG_PORT", str(postgres))
    monkeypatch.setenv("LEADHOUSE_PG_USER", "postgres")
    monkeypatch.setenv("LEADHOUSE_PG_DATABASE", "leadhouse")
    pg_core = DbtCore(tmp_path / "unused.duckdb", tmp_path)
    build = ("build", "--target", "postgres", "--select", "+path:dbt_project/models/marts/core")
    pg_core.run(*build, "--indirect-selection", "cautious")

    def counts() -> dict:
        con = psycopg2.connect(host="127.0.0.1", port=postgres, user="postgres", dbname="leadhouse")
        cur = con.cursor()
        found = {}
        for name, sql in QUERIES.items():
            cur.execute(sql)
            found[name] = cur.fetchone()[0]
        con.close()
        return found

    on_postgres = counts()
    on_duckdb = {name: fixture_warehouse.scalar(sql) for name, sql in QUERIES.items()}
    assert on_postgres == on_duckdb
    assert on_postgres["leads"] == 11 and on_postgres["interactions"] == 34
    # the incremental models' incremental path on PostgreSQL (the visitors to recompute, the
    # except against the table, delete+insert): nothing new, nothing changes
    result = pg_core.run(*build, "--indirect-selection", "cautious")
    assert result.statuses()["model.leadhouse.int_interactions__web"] == "success"
    assert counts() == on_duckdb

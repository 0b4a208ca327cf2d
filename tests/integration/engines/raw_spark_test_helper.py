"""Test helper, not part of Leadhouse: the raw schema of a DuckDB warehouse as Parquet tables of
the Spark target's catalog (database ``raw``), so that dbt builds on Spark from the very rows the
DuckDB ingestion loaded.

DuckDB writes each raw table to Parquet (JSON as text, timestamptz as UTC instants); a short-lived
local Spark session with the ``spark`` target's warehouse directory and Derby metastore
(dbt_project/profiles.yml) registers them as external tables. It must end before dbt starts: the
embedded Derby metastore takes one process at a time.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def spark_session_for_tests(spark_dir: Path):
    """A local Spark session configured as the profile's ``spark`` output."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parser.escapedStringLiterals", "true")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.warehouse.dir", f"{spark_dir}/warehouse")
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_dir}")
        .enableHiveSupport()
        .getOrCreate()
    )


def copy_raw_to_spark_for_tests(duckdb_path: Path, spark_dir: Path) -> dict:
    """Register raw.<table> in the Spark catalog under ``spark_dir`` for every raw table of the
    DuckDB file; returns {table: rows}."""
    parquet_root = spark_dir / "raw_parquet"
    parquet_root.mkdir(parents=True, exist_ok=True)
    tables = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as src:
        src.execute("set TimeZone = 'UTC'")
        names = src.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'raw' and table_type = 'BASE TABLE' order by table_name"
        ).fetchall()
        for (table,) in names:
            columns = src.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            select = ", ".join(
                f'cast("{c}" as varchar) as "{c}"' if t == "JSON" else f'"{c}"' for c, t in columns
            )
            path = parquet_root / f"{table}.parquet"
            src.execute(f"copy (select {select} from raw.\"{table}\") to '{path}' (format parquet)")
            tables[table] = src.execute(f'select count(*) from raw."{table}"').fetchone()[0]
    spark = spark_session_for_tests(spark_dir)
    try:
        spark.sql("create database if not exists raw")
        for table in tables:
            spark.sql(f"drop table if exists raw.{table}")
            spark.sql(
                f"create table raw.{table} using parquet "
                f"location '{parquet_root / (table + '.parquet')}'"
            )
        return {t: spark.table(f"raw.{t}").count() for t in tables}
    finally:
        spark.stop()


def copy_raw_to_spark_in_subprocess(duckdb_path: Path, spark_dir: Path) -> dict:
    """copy_raw_to_spark_for_tests in a child Python: its JVM (and the embedded Derby metastore
    it booted) ends with it, so that dbt's Spark session can open the metastore afterwards."""
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "tests.integration.engines.raw_spark_test_helper"]
        + [str(duckdb_path), str(spark_dir)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(copy_raw_to_spark_for_tests(Path(sys.argv[1]), Path(sys.argv[2]))))

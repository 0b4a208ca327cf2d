"""The whole dbt project on Spark (`make test-spark`, not in `make test`: a local Spark build of
tiny takes minutes and ~1 GB): tiny's raw rows (ingested into DuckDB) registered as Parquet
tables of a local Spark catalog, every seed, model, the snapshot, every data test and unit test
built with one `dbt build --target spark` (dbt-spark's session method), and every mart and BI
view compared row for row with the DuckDB build of the same rows (docs/engines.md)."""

from __future__ import annotations

import os
import time

import duckdb
import pytest

from orchestration.transform.dbt_runner import run_dbt
from tests.integration.engines.mart_comparison import RELATIONS, compare, duckdb_fetch
from tests.integration.engines.raw_spark_test_helper import (
    copy_raw_to_spark_in_subprocess,
    spark_session_for_tests,
)

pytestmark = [pytest.mark.slow, pytest.mark.spark]


@pytest.fixture(scope="module")
def tiny_spark(tiny_duckdb, tmp_path_factory):
    pytest.importorskip("pyspark")
    spark_dir = tmp_path_factory.mktemp("engines_spark")
    copied = copy_raw_to_spark_in_subprocess(tiny_duckdb.core.warehouse, spark_dir)
    started = time.monotonic()
    result = run_dbt(
        ["build", "--target", "spark", "--vars", tiny_duckdb.vars],
        spark_dir,
        env={"LEADHOUSE_DBT_TARGET": "spark", "LEADHOUSE_SPARK_DIR": str(spark_dir)},
    )
    seconds = time.monotonic() - started
    print(f"\ndbt build of tiny: duckdb {tiny_duckdb.seconds:.0f} s, spark {seconds:.0f} s")
    return spark_dir, copied, result


@pytest.fixture(scope="module")
def spark_fetch(tiny_spark):
    """Reads relations of the Spark build (after dbt ended: one process owns Derby at a time)."""
    os.environ["TZ"] = "UTC"  # pyspark turns timestamps into datetimes in the process's zone
    time.tzset()
    spark = spark_session_for_tests(tiny_spark[0])

    def fetch(sql: str):
        frame = spark.sql(sql)
        return frame.columns, [tuple(row) for row in frame.collect()]

    yield fetch
    spark.stop()


def test_raw_copy_is_complete(tiny_duckdb, tiny_spark):
    _, copied, _ = tiny_spark
    with duckdb.connect(str(tiny_duckdb.core.warehouse), read_only=True) as con:
        counts = {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in copied}
    assert copied == counts
    assert counts["web_events"] > 10_000


def test_every_node_builds_on_spark(tiny_spark):
    _, _, result = tiny_spark
    statuses = {n: s for n, s in result.statuses().items() if not n.startswith("exposure.")}
    assert set(statuses.values()) <= {"pass", "success"}  # exposures are no-ops
    assert len(statuses) > 450
    assert result.status_counts("snapshot") == {"success": 1}


def test_marts_identical_to_duckdb(tiny_duckdb, spark_fetch):
    with duckdb.connect(str(tiny_duckdb.core.warehouse), read_only=True) as dcon:
        differences = compare(duckdb_fetch(dcon), spark_fetch)
        on_duckdb = dcon.execute(
            "select count(*), sum(lead_score) from marts.mart_lead_scores"
        ).fetchone()
    for schema, names in RELATIONS.items():
        for name in names:
            assert spark_fetch(f"select count(*) from {schema}.{name}")[1][0][0] > 0
    on_spark = spark_fetch("select count(*), sum(lead_score) from marts.mart_lead_scores")[1][0]
    assert differences == {}
    assert tuple(on_spark) == tuple(on_duckdb)

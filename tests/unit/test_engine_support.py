"""What does not run on every engine says so in one line and changes nothing
(docs/engines.md, "What runs where")."""

from __future__ import annotations

import pytest

from orchestration.cli import main
from orchestration.quality import dialect


@pytest.mark.parametrize(
    ("argv", "feature"),
    [
        (["forget", "someone@example.com"], "leadhouse forget"),
        (["what-if", "--rules", "seeds"], "leadhouse what-if"),
    ],
)
def test_duckdb_only_commands_refuse_postgres_in_one_line(
    argv, feature, monkeypatch, capsys, tmp_path
):
    monkeypatch.setenv("LEADHOUSE_TARGET", "postgres")
    monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(tmp_path / "wh.duckdb"))
    monkeypatch.setenv("LEADHOUSE_OUTPUT", str(tmp_path / "out"))
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"leadhouse: {feature} is not supported on LEADHOUSE_TARGET=postgres yet (duckdb only: "
        + err.split("duckdb only: ", 1)[1]
    )
    assert err.endswith("— run it on a DuckDB warehouse (LEADHOUSE_TARGET=duckdb)")
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "wh.duckdb").exists() and not (tmp_path / "out").exists()


def test_calibration_refuses_spark(monkeypatch, capsys):
    monkeypatch.setenv("LEADHOUSE_TARGET", "spark")
    assert main(["calibrate", "--as-of", "auto"]) == 2
    assert "calibration is not supported on LEADHOUSE_TARGET=spark yet" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("duckdb", "regexp_full_match(email, '[a-z]+')"),
        ("postgres", "(email ~ ('^(?:' || '[a-z]+' || ')$'))"),
    ],
)
def test_full_match_per_engine(target, expected, monkeypatch):
    monkeypatch.setenv("LEADHOUSE_TARGET", target)
    assert dialect.full_match("email", "'[a-z]+'") == expected


def test_quantile_and_samples_per_engine(monkeypatch):
    monkeypatch.setenv("LEADHOUSE_TARGET", "postgres")
    assert dialect.quantile("s", 0.9) == "percentile_cont(0.9) within group (order by s)"
    assert dialect.first_distinct("c", "c <> 'x'", 5) == (
        "array_to_string((array_agg(distinct c order by c) filter (where c <> 'x'))[1:5], ', ')"
    )
    monkeypatch.setenv("LEADHOUSE_TARGET", "duckdb")
    assert dialect.quantile("s", 0.9) == "quantile_cont(s, 0.9)"


def test_duckdb_spellings_run_on_duckdb(monkeypatch):
    """The DuckDB forms are valid DuckDB (the PostgreSQL ones run in the cross-engine tests)."""
    import duckdb

    monkeypatch.setenv("LEADHOUSE_TARGET", "duckdb")
    sql = (
        f"select {dialect.full_match('min(e)', chr(39) + '[a-z]+@[a-z]+' + chr(39))}, "
        f"{dialect.first_distinct('e', 'e is not null', 2)}, {dialect.quantile('n', 0.5)} "
        "from (values ('a@b', 1), ('a@b', 2), ('c@d', 3)) as t(e, n)"
    )
    with duckdb.connect() as con:
        assert con.execute(sql).fetchone() == (True, "a@b, c@d", 2.0)


def test_the_sample_of_bad_values_is_the_smallest_in_order(monkeypatch):
    """A check's sample of offending values is the same on every run: the n smallest, sorted
    (DuckDB's distinct list alone comes in hash order, which changes from run to run)."""
    import duckdb

    monkeypatch.setenv("LEADHOUSE_TARGET", "duckdb")
    sql = (
        f"select {dialect.first_distinct('v', 'v % 7 <> 0', 4)} "
        "from (select (i * 7919) % 1000 as v from range(3000) as t(i))"
    )
    with duckdb.connect() as con:
        con.execute("set threads = 2")
        assert con.execute(sql).fetchone() == ("1, 2, 3, 4",)

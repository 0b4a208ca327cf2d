"""Shared pieces of the publish tests: a small hand-made warehouse whose lead count is chosen per
version, the spec that publishes it, and the BI stand-in reader process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.publish.spec import PublishSpec

READER = Path(__file__).with_name("reader.py")

SMALL_SPEC = PublishSpec(
    tables=["marts.mart_lead_lifecycle", "marts.mart_funnel_daily", "marts.mart_lead_scores"],
    data_as_of="select max(first_seen_at) from marts.mart_lead_lifecycle",
)


def version_sql(leads: int) -> list[str]:
    """A consistent version of three marts with ``leads`` leads: every lead first seen on one of
    30 days, the funnel's 'lead' step counting them per day, two score rows per lead."""
    return [
        "create schema if not exists marts",
        "drop table if exists marts.mart_lead_lifecycle",
        "drop table if exists marts.mart_funnel_daily",
        "drop table if exists marts.mart_lead_scores",
        "create table marts.mart_lead_lifecycle as select 'L' || i as lead_id, "
        "timestamp '2026-01-01' + to_days(cast(i % 30 as integer)) as first_seen_at "
        f"from range({leads}) as t(i)",
        "create table marts.mart_funnel_daily as select cast(first_seen_at as date) as "
        "funnel_date, 'lead' as funnel_stage, count(*) as leads_entered "
        "from marts.mart_lead_lifecycle group by all",
        "create table marts.mart_lead_scores as select lead_id, m.model_id, "
        "hash(lead_id) % 100 as lead_score from marts.mart_lead_lifecycle "
        "cross join (values ('default'), ('challenger')) as m(model_id)",
    ]


def build_warehouse(path: Path, leads: int) -> Path:
    with duckdb.connect(str(path)) as con:
        for sql in version_sql(leads):
            con.execute(sql)
    return path


@pytest.fixture
def small_warehouse(tmp_path):
    return lambda leads: build_warehouse(tmp_path / "warehouse.duckdb", leads)


class Reader:
    """Starts reader.py as a separate process; ``stop()`` returns its answers."""

    def __init__(self, engine: str, where: str, tmp: Path, max_seconds: float = 600) -> None:
        self.stop_file = tmp / "reader.stop"
        self.out = tmp / "reader.jsonl"
        self.stop_file.unlink(missing_ok=True)
        self.out.unlink(missing_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, str(READER), engine, where, str(self.stop_file), str(max_seconds)]
            + [str(self.out)]
        )

    def answers(self) -> list[dict]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines() if line]

    def wait_for_answers(self, n: int, timeout: float = 60) -> None:
        import time

        deadline = time.monotonic() + timeout
        while len(self.answers()) < n:
            assert self.proc.poll() is None, "reader exited early"
            assert time.monotonic() < deadline, "reader gave no answer"
            time.sleep(0.05)

    def stop(self) -> list[dict]:
        self.stop_file.touch()
        self.proc.wait(timeout=60)
        return self.answers()


@pytest.fixture
def reader_factory(tmp_path):
    started: list[Reader] = []

    def start(engine: str, where: str, max_seconds: float = 600) -> Reader:
        reader = Reader(engine, where, tmp_path, max_seconds)
        started.append(reader)
        return reader

    yield start
    for reader in started:
        if reader.proc.poll() is None:
            reader.proc.kill()

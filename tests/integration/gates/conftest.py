"""Fixtures of the gate tests: the ``tiny`` sample landed in a tmp folder, every Leadhouse
setting pointed there, one Dagster instance shared by the runs of a test."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def tiny_landing(tmp_path_factory) -> Path:
    """The generator's ``tiny`` sample (seed 7), generated once per module."""
    from orchestration.sample_data.engine import generate

    landing = tmp_path_factory.mktemp("tiny") / "landing"
    generate("tiny", 7, landing)
    return landing


@pytest.fixture
def gate_env(tmp_path, tiny_landing, monkeypatch):
    """A copy of the tiny landing folder, a fresh warehouse and output folder."""
    landing = tmp_path / "landing"
    shutil.copytree(tiny_landing, landing)
    env = {
        "LEADHOUSE_LANDING": landing,
        "LEADHOUSE_WAREHOUSE": tmp_path / "wh" / "leadhouse.duckdb",
        "LEADHOUSE_OUTPUT": tmp_path / "out",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return env


def web_days(landing: Path) -> list[Path]:
    return sorted(p for p in (landing / "web_events").iterdir() if p.name.startswith("dt="))


def land_new_web_day(landing: Path, day: str, rows: int, *, shift_years: int = 0) -> Path:
    """Land ``rows`` new Segment events (new message ids) in ``web_events/dt=<day>/``, taken
    from the last landed day; ``shift_years`` moves their timestamps back (old events)."""
    source = next(web_days(landing)[-1].glob("*.jsonl"))
    out = landing / "web_events" / f"dt={day}" / "segment-001.jsonl"
    out.parent.mkdir(parents=True)
    lines = []
    for line in source.read_text().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # the generator's malformed lines
        if not isinstance(event, dict) or not event.get("messageId"):
            continue
        event["messageId"] = f"ajs-{uuid.uuid4().hex}"
        if shift_years:
            for field in ("timestamp", "originalTimestamp", "sentAt", "receivedAt"):
                if isinstance(event.get(field), str) and event[field][:4].isdigit():
                    year = int(event[field][:4]) - shift_years
                    event[field] = f"{year}{event[field][4:]}"
        lines.append(json.dumps(event))
        if len(lines) == rows:
            break
    out.write_text("\n".join(lines) + "\n")
    return out

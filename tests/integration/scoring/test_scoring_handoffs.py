"""The hand-off sensor posts each new hand-off once to a real local HTTP server (pytest-httpserver)."""

from __future__ import annotations

import json
from datetime import datetime

import dagster as dg
import duckdb
import pytest
from werkzeug import Response

from orchestration.transform.handoffs import HandoffCursor, format_message, handoff_sensor


def _make_warehouse(path, handoffs):
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """create table marts.fct_lead_handoffs (handoff_id varchar, lead_id varchar, handoff_type varchar,
               from_stage varchar, crossed_at timestamp, model_version varchar, fit_score decimal(9,2),
               engagement_score decimal(9,2), lead_score decimal(9,2), tier varchar, temperature varchar,
               recorded_at timestamp)"""
        )
        con.execute(
            """create table marts.mart_lead_activation (lead_id varchar, email varchar, first_name varchar,
               last_name varchar, company_name varchar, crm_id varchar)"""
        )
        con.execute(
            "insert into marts.mart_lead_activation values ('L1', 'ada@acme.io', 'Ada', 'Lovelace', 'Acme', null),"
            " ('L2', 'bob@beta.io', 'Bob', null, null, null)"
        )
        _add(con, handoffs)


def _add(con, handoffs):
    for h in handoffs:
        con.execute(
            "insert into marts.fct_lead_handoffs values (?, ?, ?, ?, ?, 'v1', 70, 60, 65, 'A1', 'hot', ?)",
            [h["id"], h["lead"], h["type"], h.get("from"), h["crossed"], h["recorded"]],
        )


@pytest.fixture
def env(tmp_path, monkeypatch, httpserver):
    warehouse = tmp_path / "wh.duckdb"
    monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("LEADHOUSE_HANDOFF_WEBHOOK_URL", httpserver.url_for("/hook"))
    return warehouse


def _tick(cursor=None):
    return handoff_sensor(dg.build_sensor_context(cursor=cursor))


def _posted(httpserver):
    return [json.loads(req.data)["text"] for req, _ in httpserver.log]


def test_each_handoff_posted_once_then_new_ones_only(env, httpserver):
    t0 = datetime(2026, 6, 1, 12, 0)
    _make_warehouse(
        env,
        [
            {
                "id": "h1",
                "lead": "L1",
                "type": "sql",
                "from": "mql",
                "crossed": datetime(2026, 6, 1, 11),
                "recorded": t0,
            },
            {
                "id": "h2",
                "lead": "L2",
                "type": "mql",
                "from": "lead",
                "crossed": datetime(2026, 6, 1, 10),
                "recorded": t0,
            },
            # crossed 40 days before it was recorded: first-build backlog, skipped
            {
                "id": "h0",
                "lead": "L2",
                "type": "sql",
                "crossed": datetime(2026, 4, 22),
                "recorded": t0,
            },
        ],
    )
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")

    first = _tick()
    texts = _posted(httpserver)
    assert len(texts) == 2
    assert texts[0].startswith(
        "New MQL hand-off: Bob <bob@beta.io> is now marketing-qualified (MQL) (was lead)."
    )
    assert (
        "New SQL hand-off: Ada Lovelace <ada@acme.io> (Acme) is now sales-qualified (SQL) (was mql)."
        in texts[1]
    )
    assert "tier A1, hot" in texts[1]
    assert json.loads(first.cursor) == {
        "recorded_at": "2026-06-01T12:00:00",
        "ids": ["h0", "h1", "h2"],
    }

    second = _tick(first.cursor)  # nothing new: nothing posted
    assert len(httpserver.log) == 2
    assert second.skip_reason is not None

    with duckdb.connect(str(env)) as con:
        _add(
            con,
            [
                {
                    "id": "h3",
                    "lead": "L1",
                    "type": "mql",
                    "crossed": datetime(2026, 6, 2, 9),
                    "recorded": datetime(2026, 6, 2, 12),
                }
            ],
        )
    third = _tick(second.cursor)
    assert len(httpserver.log) == 3
    assert _posted(httpserver)[2].startswith("New MQL hand-off: Ada Lovelace")
    assert json.loads(third.cursor) == {"recorded_at": "2026-06-02T12:00:00", "ids": ["h3"]}


def test_failed_post_is_retried_and_not_skipped(env, httpserver):
    t0 = datetime(2026, 6, 1, 12, 0)
    _make_warehouse(
        env,
        [
            {
                "id": "h1",
                "lead": "L1",
                "type": "sql",
                "crossed": datetime(2026, 6, 1, 11),
                "recorded": t0,
            },
            {
                "id": "h2",
                "lead": "L2",
                "type": "sql",
                "crossed": datetime(2026, 6, 1, 11),
                "recorded": t0,
            },
        ],
    )
    calls = {"n": 0}

    def handler(request):
        calls["n"] += 1
        return Response("boom", status=500) if calls["n"] == 2 else Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    first = _tick()
    assert calls["n"] == 2  # h1 ok, h2 failed: stop there
    assert json.loads(first.cursor)["ids"] == ["h1"]
    second = _tick(first.cursor)
    assert calls["n"] == 3  # only h2 again, h1 not re-sent
    assert json.loads(second.cursor)["ids"] == ["h1", "h2"]


def test_without_webhook_the_sensor_skips(tmp_path, monkeypatch):
    monkeypatch.setenv("LEADHOUSE_WAREHOUSE", str(tmp_path / "none.duckdb"))
    monkeypatch.delenv("LEADHOUSE_HANDOFF_WEBHOOK_URL", raising=False)
    result = _tick()
    assert result.skip_reason.skip_message == "LEADHOUSE_HANDOFF_WEBHOOK_URL is not set"


def test_cursor_round_trip_and_message_without_name():
    cursor = HandoffCursor.parse(None)
    cursor.advance(datetime(2026, 1, 2, 3, 4, 5), "b")
    cursor.advance(datetime(2026, 1, 2, 3, 4, 5), "a")
    assert HandoffCursor.parse(cursor.dump()) == HandoffCursor(
        datetime(2026, 1, 2, 3, 4, 5), ["a", "b"]
    )
    message = format_message(
        {
            "handoff_type": "pql",
            "lead_id": "x",
            "crossed_at": datetime(2026, 1, 1),
            "lead_score": None,
            "fit_score": 10,
            "engagement_score": 5,
            "tier": "D4",
            "temperature": "cold",
        }
    )
    assert message == {
        "text": "New PQL hand-off: Unknown name is now product-qualified (PQL). Lead score 0.0 "
        "(fit 10.0, engagement 5.0), tier D4, cold. Crossed at 2026-01-01 00:00 UTC. lead_id x"
    }

"""A rebuild of the mart that only moves the scoring timestamp and the decimals of decayed
scores sends nothing: the shipped specs compare whole-number scores and leave the timestamp
out of the fingerprint. A score that moves by a whole point is sent, timestamp included."""

from __future__ import annotations

import json

from tests.integration.activation.conftest import spec_from
from tests.integration.activation.mart import execute
from tests.integration.activation.test_activation_webhook_file import run


def _sent(warehouse) -> list[dict]:
    out = warehouse.parent / "output" / "syncs" / "file_leads"
    return [
        json.loads(line) for f in sorted(out.glob("*.jsonl")) for line in f.read_text().splitlines()
    ]


def test_new_timestamp_and_decimal_drift_send_nothing(warehouse):
    spec = spec_from("file_leads")
    first = run(spec, warehouse)
    assert first.counts["sent_rows"] == 250

    execute(
        warehouse,
        """update marts.mart_lead_activation
                          set scored_at = scored_at + interval 1 hour,
                              engagement_score = engagement_score - 0.3""",
    )
    second = run(spec, warehouse)
    assert second.counts["sent_rows"] == 0
    assert second.counts["unchanged_rows"] == 250


def test_a_whole_point_is_a_change_and_carries_the_new_timestamp(warehouse):
    spec = spec_from("file_leads")
    run(spec, warehouse)
    (lead_id,) = execute(warehouse, "select min(lead_id) from marts.mart_lead_activation")[0]
    execute(
        warehouse,
        """update marts.mart_lead_activation
                          set scored_at = timestamptz '2026-04-01 00:00:00+00',
                              engagement_score = engagement_score + 1
                          where lead_id = ?""",
        [lead_id],
    )
    again = run(spec, warehouse)
    assert again.counts["sent_rows"] == 1
    mine = [r["fields"] for r in _sent(warehouse) if r["match"]["lead_id"] == lead_id]
    assert len(mine) == 2  # the first sync, then the change
    before, after = sorted(mine, key=lambda f: f["dw_lead_scored_at"])
    assert after["dw_lead_scored_at"] == "2026-04-01T00:00:00.000Z"
    assert after["dw_engagement_score"] == before["dw_engagement_score"] + 1

"""Lead hand-off announcements: a Dagster sensor that posts new MQL / PQL / SQL hand-offs to a
webhook.

dbt records every crossing once in ``marts.fct_lead_handoffs`` (append-only, with ``recorded_at``):
every threshold a lead crossed, even several between two runs (lead -> MQL -> SQL gives both).
The sensor reads the rows recorded after its cursor (read-only connection), posts one
Slack-compatible message (``{"text": ...}``) per hand-off to ``settings().handoff_webhook_url``
and advances the cursor after each successful post, so a hand-off is announced at most once
(a post that failed is retried on the next tick; nothing after it is sent before it).

Cursor: JSON ``{"recorded_at": "<iso>", "ids": [handoff ids already handled at that instant]}``.
Hand-offs whose crossing is older than ``STALE_AFTER_DAYS`` when recorded (the backlog of a first
build) are skipped, not announced, and the cursor moves past them.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import requests

from orchestration.config import settings
from orchestration.resources import WAREHOUSE_ERRORS
from orchestration.resources import warehouse as warehouse_resource

log = logging.getLogger(__name__)

#: At most this many posts per sensor tick (the rest waits for the next tick).
MAX_PER_TICK = 50
#: Crossings older than this when recorded are not announced (first-build backlog).
STALE_AFTER_DAYS = 7
#: Seconds before a webhook post times out.
POST_TIMEOUT_SECONDS = 10

_QUERY = """
select h.handoff_id, h.lead_id, h.handoff_type, h.from_stage, h.crossed_at, h.recorded_at,
       h.lead_score, h.fit_score, h.engagement_score, h.tier, h.temperature,
       a.email, a.first_name, a.last_name, a.company_name, a.crm_id
from marts.fct_lead_handoffs as h
left join marts.mart_lead_activation as a on a.lead_id = h.lead_id
where h.recorded_at > ?
   or (h.recorded_at = ? and not h.handoff_id = any(cast(? as varchar[])))
order by h.recorded_at, h.crossed_at, h.handoff_id
limit ?
"""


@dataclass
class HandoffCursor:
    """Position of the sensor in fct_lead_handoffs: the last recorded_at, the ids handled at it."""

    recorded_at: datetime = datetime(1970, 1, 1)
    ids: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, raw: str | None) -> HandoffCursor:
        if not raw:
            return cls()
        data = json.loads(raw)
        return cls(datetime.fromisoformat(data["recorded_at"]), list(data.get("ids", [])))

    def dump(self) -> str:
        return json.dumps({"recorded_at": self.recorded_at.isoformat(), "ids": sorted(self.ids)})

    def advance(self, recorded_at: datetime, handoff_id: str) -> None:
        if recorded_at != self.recorded_at:
            self.recorded_at, self.ids = recorded_at, []
        self.ids.append(handoff_id)


def fetch_new_handoffs(
    warehouse: Path, cursor: HandoffCursor, limit: int = MAX_PER_TICK
) -> list[dict]:
    """Hand-offs recorded after the cursor, oldest first (read-only connection, closed on exit)."""
    with warehouse_resource(path=warehouse).connect(read_only=True) as con:
        cur = con.execute(_QUERY, [cursor.recorded_at, cursor.recorded_at, cursor.ids, limit])
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def is_stale(handoff: dict) -> bool:
    """A crossing recorded long after it happened (backfill): not worth a real-time announcement."""
    return handoff["recorded_at"] - handoff["crossed_at"] > timedelta(days=STALE_AFTER_DAYS)


def format_message(handoff: dict) -> dict:
    """The Slack-compatible payload announcing one hand-off."""
    name = (
        " ".join(p for p in (handoff.get("first_name"), handoff.get("last_name")) if p)
        or "Unknown name"
    )
    who = f"{name} <{handoff['email']}>" if handoff.get("email") else name
    if handoff.get("company_name"):
        who += f" ({handoff['company_name']})"
    target = {
        "mql": "marketing-qualified (MQL)",
        "pql": "product-qualified (PQL)",
        "sql": "sales-qualified (SQL)",
    }
    kind = handoff["handoff_type"]
    text = (
        f"New {kind.upper()} hand-off: {who} is now {target.get(kind, kind)}"
        f"{' (was ' + handoff['from_stage'] + ')' if handoff.get('from_stage') else ''}. "
        f"Lead score {float(handoff['lead_score'] or 0):.1f} "
        f"(fit {float(handoff['fit_score'] or 0):.1f}, "
        f"engagement {float(handoff['engagement_score'] or 0):.1f}), "
        f"tier {handoff.get('tier')}, {handoff.get('temperature')}. "
        f"Crossed at {handoff['crossed_at']:%Y-%m-%d %H:%M} UTC. lead_id {handoff['lead_id']}"
    )
    return {"text": text}


def announce(
    warehouse: Path, webhook_url: str, cursor: HandoffCursor
) -> tuple[HandoffCursor, int, int, str | None]:
    """Post every new hand-off; returns (cursor, posted, skipped_stale, error or None)."""
    posted = skipped = 0
    for handoff in fetch_new_handoffs(warehouse, cursor):
        if is_stale(handoff):
            skipped += 1
        else:
            try:
                response = requests.post(
                    webhook_url, json=format_message(handoff), timeout=POST_TIMEOUT_SECONDS
                )
                response.raise_for_status()
            except requests.RequestException as exc:  # keep the cursor before the failed hand-off
                return cursor, posted, skipped, f"webhook post failed: {type(exc).__name__}"
            posted += 1
        cursor.advance(handoff["recorded_at"], handoff["handoff_id"])
    return cursor, posted, skipped, None


def _default_status() -> dg.DefaultSensorStatus:
    return (
        dg.DefaultSensorStatus.RUNNING
        if settings().handoff_webhook_url
        else dg.DefaultSensorStatus.STOPPED
    )


@dg.sensor(
    name="lead_handoff_sensor",
    minimum_interval_seconds=60,
    default_status=_default_status(),
    description="Announces new MQL / PQL / SQL hand-offs (marts.fct_lead_handoffs) to "
    "LEADHOUSE_HANDOFF_WEBHOOK_URL.",
)
def handoff_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    """Post new hand-offs to the configured webhook, at most once each (cursor)."""
    config = settings()
    if not config.handoff_webhook_url:
        return dg.SensorResult(skip_reason="LEADHOUSE_HANDOFF_WEBHOOK_URL is not set")
    if not warehouse_resource().exists():
        return dg.SensorResult(skip_reason="the warehouse does not exist yet")
    cursor = HandoffCursor.parse(context.cursor)
    try:
        cursor, posted, skipped, error = announce(
            config.warehouse_path, config.handoff_webhook_url, cursor
        )
    except WAREHOUSE_ERRORS as exc:  # warehouse locked by a writer, or the marts not built yet
        return dg.SensorResult(
            skip_reason=f"warehouse not readable: {type(exc).__name__}", cursor=context.cursor
        )
    context.log.info("hand-offs posted=%d skipped_stale=%d", posted, skipped)
    if error:
        context.log.warning(error)
    reason = None if posted else (error or f"no new hand-offs (skipped {skipped} stale)")
    return dg.SensorResult(skip_reason=reason, cursor=cursor.dump())

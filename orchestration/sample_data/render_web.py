"""Segment-spec messages (page, track, identify, alias) for the planned sessions.

Writes one message a line, or a whole session as an HTTP-API ``{"batch": [...]}`` envelope,
and dirties messages at the configured rate (see :mod:`dirty`). Resent duplicates are held
back and written at the end of the day, so they often land in a later file.
"""

from __future__ import annotations

import copy

import numpy as np

from orchestration.sample_data import clock, dirty, vocab
from orchestration.sample_data.writer import RotatingWriter, dumps

LIBRARY = {"name": "analytics.js", "version": "2.11.1"}
OVERSIZE = "x" * 33_000


class IdSource:
    """Deterministic hex ids drawn in blocks from a numpy generator."""

    def __init__(self, rng: np.random.Generator):
        self.rng, self.buf, self.i = rng, [], 0

    def hex32(self) -> str:
        if self.i >= len(self.buf):
            a = self.rng.integers(0, 2**63, size=4096, dtype=np.int64).tolist()
            b = self.rng.integers(0, 2**63, size=4096, dtype=np.int64).tolist()
            self.buf = [f"{x:016x}{y:016x}" for x, y in zip(a, b, strict=True)]
            self.i = 0
        h = self.buf[self.i]
        self.i += 1
        return h


def page_title(path: str) -> str:
    tail = path.rstrip("/").rsplit("/", 1)[-1] or "home"
    return tail.replace("-", " ").title() + " | Leadhouse"


class WebRenderer:
    """Render sessions of one day into ``segment-NNN.jsonl`` files."""

    def __init__(
        self,
        writer: RotatingWriter,
        picker: dirty.DirtyPicker,
        ids: IdSource,
        ordinal: int,
        batch_share: float,
    ):
        self.w, self.picker, self.ids, self.ordinal = writer, picker, ids, ordinal
        self.batch_share = batch_share
        self.deferred: list[tuple[bytes, str]] = []
        self._titles: dict[str, str] = {}

    # -- message building ---------------------------------------------------------------
    def _base(
        self, kind: str, anon: str | None, uid: str | None, t_ms: int, ua: str, ip: str, locale: str
    ) -> dict:
        lat = 80 + self.picker.randint(0, 900)
        sent = t_ms + 20 + self.picker.randint(0, 1500)
        o = self.ordinal
        return {
            "type": kind,
            "messageId": f"ajs-{self.ids.hex32()}",
            "anonymousId": anon,
            "userId": uid,
            "timestamp": clock.iso(o, t_ms + lat),
            "originalTimestamp": clock.iso(o, t_ms),
            "sentAt": clock.iso(o, sent),
            "receivedAt": clock.iso(o, sent + lat),
            "context": {"ip": ip, "userAgent": ua, "locale": locale, "library": LIBRARY},
            "_t": (t_ms, sent, lat),  # true times, removed before writing
        }

    def page(
        self,
        anon: str | None,
        uid: str | None,
        t_ms: int,
        path: str,
        referrer: str,
        search: str,
        campaign: dict | None,
        ua: str,
        ip: str,
        locale: str,
    ) -> dict:
        title = self._titles.get(path)
        if title is None:
            title = self._titles[path] = page_title(path)
        url = f"{vocab.SITE}{path}{search}"
        m = self._base("page", anon, uid, t_ms, ua, ip, locale)
        m["name"] = title.split(" | ")[0]
        props = {"title": title, "url": url, "path": path, "referrer": referrer, "search": search}
        m["properties"] = props
        m["context"]["page"] = props
        if campaign:
            m["context"]["campaign"] = campaign
        return m

    def track(
        self,
        anon: str | None,
        uid: str | None,
        t_ms: int,
        event: str,
        properties: dict,
        ua: str,
        ip: str,
        locale: str,
    ) -> dict:
        m = self._base("track", anon, uid, t_ms, ua, ip, locale)
        m["event"] = event
        m["properties"] = properties
        return m

    def identify(
        self,
        anon: str | None,
        uid: str | None,
        t_ms: int,
        traits: dict,
        ua: str,
        ip: str,
        locale: str,
    ) -> dict:
        m = self._base("identify", anon, uid, t_ms, ua, ip, locale)
        m["traits"] = traits
        return m

    def alias(
        self, previous: str, uid: str | None, t_ms: int, ua: str, ip: str, locale: str
    ) -> dict:
        m = self._base("alias", None, uid, t_ms, ua, ip, locale)
        del m["anonymousId"]
        m["previousId"] = previous
        return m

    # -- dirt and output ------------------------------------------------------------------
    def _dirty(self, m: dict, family: str, t_ms: int, sent: int, lat: int) -> str | None:
        kind = self.picker.pick(family)
        if kind is None or kind in ("malformed_json", "duplicate"):
            return kind
        p = self.picker
        if kind == "missing_required_field:messageId":
            del m["messageId"]
        elif kind == "missing_required_field:anonymousId":
            m.pop("anonymousId", None)
            m.pop("previousId", None)
            m["userId"] = None
        elif kind == "late_event":
            t = t_ms - p.randint(1, 6) * 86_400_000 - p.randint(0, 3_600_000)
            m["originalTimestamp"] = clock.iso(self.ordinal, t)
            m["timestamp"] = clock.iso(self.ordinal, t + lat)
        elif kind == "clock_skew":
            skew = (1 if p.uniform() < 0.5 else -1) * p.randint(120_000, 5 * 3_600_000)
            m["originalTimestamp"] = clock.iso(self.ordinal, t_ms + skew)
            m["sentAt"] = clock.iso(self.ordinal, sent + skew)
        elif kind == "bot_user_agent":
            m["context"]["userAgent"] = vocab.BOT_USER_AGENTS[
                p.randint(0, len(vocab.BOT_USER_AGENTS))
            ]
        elif kind == "unknown_event_type":
            if p.uniform() < 0.5:
                m["type"] = "screen"
                m["name"] = "Home"
            else:
                m["type"] = "group"
                m["groupId"] = f"grp_{self.ids.hex32()[:12]}"
                m["traits"] = {"name": "Workspace", "plan": "free"}
        elif kind == "oversized_payload":
            m["properties"] = {**m.get("properties", {}), "debug_dump": OVERSIZE}
        elif kind == "invalid_email":
            m["traits"]["email"] = dirty.invalid_email(m["traits"]["email"], p)
        elif kind == "mixed_case_email":
            m["traits"]["email"] = dirty.mixed_case_email(m["traits"]["email"], p)
        return kind

    def emit(self, messages: list[tuple[dict, str]]) -> None:
        """Write the messages of one session: maybe as one batch envelope, dirt on its own line."""
        clean: list[dict] = []
        for m, family in messages:
            t_ms, sent, lat = m.pop("_t")
            kind = self._dirty(m, family, t_ms, sent, lat)
            if kind is None:
                clean.append(m)
                continue
            line = dumps(m)
            if kind == "malformed_json":
                self.w.write(dirty.malformed(line, self.picker), 1, kind)
                continue
            if kind == "duplicate":
                again = copy.deepcopy(m)
                resent = sent + lat + self.picker.randint(60_000, 3_600_000)
                again["receivedAt"] = clock.iso(self.ordinal, min(resent, 86_399_999))
                self.deferred.append((dumps(again), kind))
                self.w.write(line, 1, None)
                continue
            self.w.write(line, 1, kind)
        if not clean:
            return
        if len(clean) > 1 and self.picker.uniform() < self.batch_share:
            envelope = {
                "batch": clean,
                "sentAt": clean[-1]["sentAt"],
                "context": {"library": LIBRARY},
            }
            self.w.write(dumps(envelope), len(clean), None)
        else:
            for m in clean:
                self.w.write(dumps(m), 1, None)

    def finish(self) -> None:
        for line, kind in self.deferred:
            self.w.write(line, 1, kind)
        self.deferred.clear()

"""Deliberately dirty records, injected at a set rate and counted per file.

A :class:`DirtyPicker` decides, record by record, whether the record is dirtied and how
(from the kinds that make sense for that record), using pre-drawn random numbers so the
decision costs a list lookup. The mutation helpers change a record in place.
Kinds (the manifest's keys): ``malformed_json``, ``malformed_csv_row``,
``missing_required_field:<field>``, ``invalid_email``, ``duplicate``, ``late_event``,
``clock_skew``, ``bot_user_agent``, ``mixed_case_email``, ``unknown_event_type``,
``oversized_payload``.
"""

from __future__ import annotations

import numpy as np

_BUF = 8192

#: applicable kinds per record family, with relative weights
KINDS: dict[str, tuple[tuple[str, float], ...]] = {
    "segment": (
        ("malformed_json", 1.0),
        ("missing_required_field:messageId", 0.5),
        ("missing_required_field:anonymousId", 0.5),
        ("duplicate", 1.5),
        ("late_event", 1.0),
        ("clock_skew", 1.0),
        ("bot_user_agent", 1.0),
        ("unknown_event_type", 0.7),
        ("oversized_payload", 0.3),
    ),
    "segment_identify": (
        ("malformed_json", 1.0),
        ("duplicate", 1.0),
        ("invalid_email", 1.0),
        ("mixed_case_email", 1.0),
        ("clock_skew", 0.5),
    ),
    "sendgrid": (
        ("duplicate", 1.5),
        ("late_event", 1.0),
        ("unknown_event_type", 0.7),
        ("missing_required_field:sg_event_id", 0.5),
        ("invalid_email", 0.5),
        ("mixed_case_email", 1.0),
    ),
    "mailgun": (
        ("malformed_json", 1.0),
        ("duplicate", 1.5),
        ("late_event", 1.0),
        ("missing_required_field:id", 0.5),
        ("invalid_email", 0.5),
        ("mixed_case_email", 1.0),
    ),
    "ses": (
        ("malformed_json", 1.0),
        ("duplicate", 1.5),
        ("late_event", 1.0),
        ("missing_required_field:MessageId", 0.5),
        ("mixed_case_email", 1.0),
    ),
    "hubspot": (
        ("malformed_json", 1.0),
        ("duplicate", 1.0),
        ("missing_required_field:email", 1.0),
        ("invalid_email", 1.0),
        ("mixed_case_email", 1.5),
    ),
    "typeform": (
        ("malformed_json", 1.0),
        ("duplicate", 1.0),
        ("missing_required_field:email", 1.0),
        ("invalid_email", 1.0),
        ("mixed_case_email", 1.5),
    ),
    "post": (
        ("duplicate", 1.0),
        ("missing_required_field:email", 1.0),
        ("invalid_email", 1.0),
        ("mixed_case_email", 1.5),
    ),
    "list": (
        ("malformed_csv_row", 1.0),
        ("missing_required_field:email", 0.7),
        ("invalid_email", 1.0),
        ("mixed_case_email", 1.5),
        ("duplicate", 0.8),
    ),
}


class DirtyPicker:
    """Pick a dirty kind (or None) for each record, deterministically from ``rng``."""

    def __init__(self, rate: float, rng: np.random.Generator):
        self.rate, self.rng = rate, rng
        self._u: list[float] = []
        self._i = _BUF
        self._tables = {
            family: (
                [k for k, _ in kinds],
                np.cumsum([w for _, w in kinds]) / sum(w for _, w in kinds),
            )
            for family, kinds in KINDS.items()
        }

    def uniform(self) -> float:
        if self._i >= _BUF:
            self._u = self.rng.random(_BUF).tolist()
            self._i = 0
        u = self._u[self._i]
        self._i += 1
        return u

    def pick(self, family: str) -> str | None:
        if self.rate <= 0.0 or self.uniform() >= self.rate:
            return None
        names, cdf = self._tables[family]
        return names[min(int(np.searchsorted(cdf, self.uniform(), side="right")), len(names) - 1)]

    def randint(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi)."""
        return lo + int(self.uniform() * (hi - lo))


def malformed(line: bytes, picker: DirtyPicker) -> bytes:
    """Cut a JSON line somewhere in its first half: never valid JSON (unclosed object)."""
    cut = max(1, picker.randint(1, max(2, len(line) // 2)))
    return line[:cut]


def invalid_email(email: str, picker: DirtyPicker) -> str:
    local, _, domain = email.partition("@")
    if picker.uniform() < 0.5:
        return f"{local}{domain}"  # the @ is lost
    return f"{local}@{domain.split('.')[0]}"  # no top-level domain


def mixed_case_email(email: str, picker: DirtyPicker) -> str:
    local, _, domain = email.partition("@")
    local = ".".join(p.capitalize() for p in local.split("."))
    pad = ("  ", " ", "")[picker.randint(0, 3)]
    return f"{pad}{local}@{domain.upper() if picker.uniform() < 0.5 else domain.title()} "

"""Fast, deterministic time and id formatting for the generator.

Times are carried as (day ordinal, milliseconds since midnight UTC) integers and turned into
ISO-8601 strings here, which is much faster than going through ``datetime`` per event.
"""

from __future__ import annotations

from datetime import date

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_CACHE: dict[int, str] = {}


def day_str(ordinal: int) -> str:
    s = _DAY_CACHE.get(ordinal)
    if s is None:
        s = _DAY_CACHE[ordinal] = date.fromordinal(ordinal).isoformat()
    return s


def iso(ordinal: int, ms: int) -> str:
    """ISO-8601 UTC with milliseconds; ``ms`` may run outside [0, 1 day)."""
    if ms < 0 or ms >= 86_400_000:
        ordinal += ms // 86_400_000
        ms %= 86_400_000
    sec, milli = divmod(ms, 1000)
    h, rem = divmod(sec, 3600)
    m, s = divmod(rem, 60)
    return f"{day_str(ordinal)}T{h:02d}:{m:02d}:{s:02d}.{milli:03d}Z"


def iso_seconds(ordinal: int, ms: int) -> str:
    """ISO-8601 UTC without fractions (CRM exports, Typeform)."""
    return iso(ordinal, ms)[:19] + "Z"


def epoch_ms(ordinal: int, ms: int) -> int:
    return (ordinal - _EPOCH_ORDINAL) * 86_400_000 + ms


def epoch_s(ordinal: int, ms: int) -> int:
    return epoch_ms(ordinal, ms) // 1000


def ip_str(x: int) -> str:
    return f"{(x >> 24) & 255}.{(x >> 16) & 255}.{(x >> 8) & 255}.{x & 255}"

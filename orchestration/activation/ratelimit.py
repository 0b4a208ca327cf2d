"""A client-side token bucket: at most ``rate`` calls per second, bursts up to ``rate``."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """Blocks in :meth:`acquire` until a token is free. Clock and sleep are injectable."""

    def __init__(
        self,
        rate: float,
        *,
        capacity: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.rate = float(rate)
        self.capacity = float(capacity if capacity is not None else max(1.0, rate))
        self.tokens = self.capacity
        self.clock = clock
        self.sleep = sleep
        self.last = clock()
        self.waited = 0.0

    def _refill(self) -> None:
        current = self.clock()
        self.tokens = min(self.capacity, self.tokens + (current - self.last) * self.rate)
        self.last = current

    def acquire(self) -> None:
        """Take one token, sleeping as long as needed."""
        self._refill()
        while self.tokens < 1.0 - 1e-9:  # tolerate float rounding of the refill
            wait = (1.0 - self.tokens) / self.rate
            self.waited += wait
            self.sleep(wait)
            self._refill()
        self.tokens = max(0.0, self.tokens - 1.0)

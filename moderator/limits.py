"""Per-connection command rate and per-token connection counts: pure bookkeeping, time passed in."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass
class TokenBucket:
    """Allows `burst` frames at once, then `rate` per second."""

    rate: float
    burst: float
    tokens: float = -1.0
    last: float = 0.0

    def allow(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens, self.last = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class ConnectionCounter:
    """How many sockets each token holds open, with a ceiling."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: Counter[str] = Counter()

    def acquire(self, key: str) -> bool:
        if self._open[key] >= self.limit:
            return False
        self._open[key] += 1
        return True

    def release(self, key: str) -> None:
        self._open[key] -= 1
        if self._open[key] <= 0:
            del self._open[key]

"""Command rates, connection counts and failed sign-ins: pure bookkeeping, time passed in."""

from __future__ import annotations

from collections import Counter, deque
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


class FailureThrottle:
    """Failed token checks per client address: after `limit` within `window` seconds, refuse the next.

    `retry_after` is how long the address must wait (0: it may try); the oldest failure
    ageing out of the window lets it try again. At most `max_addresses` are remembered (the
    longest-known is forgotten first), so a spray of addresses cannot grow it without bound.
    """

    def __init__(self, limit: int, window: float, max_addresses: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_addresses = max_addresses
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float] | None:
        times = self._failures.get(address)
        if times is None:
            return None
        while times and now - times[0] >= self.window:
            times.popleft()
        if not times:
            del self._failures[address]
            return None
        return times

    def retry_after(self, address: str, now: float) -> float:
        times = self._recent(address, now)
        if times is None or len(times) < self.limit:
            return 0.0
        return self.window - (now - times[0])

    def failed(self, address: str, now: float) -> None:
        times = self._recent(address, now)
        if times is None:
            if len(self._failures) >= self.max_addresses:
                del self._failures[next(iter(self._failures))]
            times = self._failures[address] = deque()
        times.append(now)

"""The server's wall clock: epoch milliseconds, as on the wire (the core is given `now`, never reads it)."""

from __future__ import annotations

import time


def now_ms() -> int:
    return time.time_ns() // 1_000_000

"""The countdown of whoever holds the floor: pure arithmetic, anchored to the server's wall clock.

A timer is stored as (duration, elapsed, running_since), never as a remaining time, so a
restart or a reconnect never changes what it shows: remaining time at T is derived.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

TimerStatus = Literal["idle", "running", "paused"]

WARNING_MS = 60_000


@dataclass(frozen=True, slots=True)
class Timer:
    """A countdown. `elapsed_ms` counts the runs already ended; `running_since` is set while it runs."""

    duration_ms: int = 0
    elapsed_ms: int = 0
    running_since: int | None = None

    @property
    def running(self) -> bool:
        return self.running_since is not None

    @property
    def status(self) -> TimerStatus:
        if self.running_since is not None:
            return "running"
        return "paused" if self.elapsed_ms > 0 else "idle"

    def ran(self, now: int) -> int:
        """Total milliseconds this timer has run by `now`."""
        if self.running_since is None:
            return self.elapsed_ms
        return self.elapsed_ms + max(0, now - self.running_since)

    def remaining(self, now: int) -> int:
        """Milliseconds left at `now`; negative is overtime."""
        return self.duration_ms - self.ran(now)

    def overtime(self, now: int) -> int:
        """Milliseconds past the time, as the room sees it at `now` ("+00:16 Time is up"): 0 while
        time is left. Adjustments count, since they change `duration_ms`."""
        return max(0, -self.remaining(now))

    def start(self, now: int) -> Timer:
        return replace(self, running_since=now)

    def pause(self, now: int) -> Timer:
        return Timer(self.duration_ms, self.ran(now), None)

    def adjust(self, delta_ms: int) -> Timer:
        return replace(self, duration_ms=self.duration_ms + delta_ms)

    def reset(self) -> Timer:
        return Timer(self.duration_ms, 0, None)

    def wire(self, warning_ms: int = WARNING_MS) -> dict[str, object]:
        """The `timer` object of the contract; `warning_ms` is the session's (Setup.warning_seconds)."""
        return {
            "status": self.status,
            "duration_ms": self.duration_ms,
            "elapsed_ms": self.elapsed_ms,
            "running_since": self.running_since,
            "warning_ms": warning_ms,
        }


IDLE = Timer()

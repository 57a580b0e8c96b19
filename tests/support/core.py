"""Building sessions for core tests, without I/O."""

from __future__ import annotations

from typing import Any

from moderator.core.commands import Actor, Command
from moderator.core.decide import decide
from moderator.core.evolve import fold
from moderator.core.state import Format, SessionState, Setup, Speaker, initial

MOD = Actor("moderator")
VIEWER = Actor("viewer")
SYSTEM = Actor("system")


def mission(code: str) -> Actor:
    return Actor("delegation", code)


def speakers(n: int = 3, seconds: int = 300, video: bool = False) -> tuple[Speaker, ...]:
    return tuple(
        Speaker(
            f"s{i}",
            f"k{i}",
            f"Speaker {i}",
            f"Org {i}",
            ("cso", "nhri", "coalition")[i % 3],
            "Theme",
            ("en", "fr", "es")[i % 3],
            seconds * 1000,
            public_name="A defender" if i == 1 else None,
            video_url=f"/media/v{i}.mp4" if video else None,
            video_duration_ms=200_000 + i * 1000 if video else None,
        )
        for i in range(1, n + 1)
    )


def session(n: int = 3, fmt: Format = "in_person", sur: str = "DE", video: bool = False) -> SessionState:
    return initial(
        Setup(
            "S1",
            "R1",
            sur,
            "Pre-sessions 44",
            fmt,
            "Geneva",
            sur,
            1_000_000,
            60,
            120,
            speakers(n, video=video),
        )
    )


class Run:
    """A session driven command by command, as the engine would, minus the store."""

    def __init__(self, state: SessionState, now: int = 2_000_000) -> None:
        self.state = state
        self.now = now
        self.log: list[dict[str, Any]] = []

    def do(
        self, command: str, actor: Actor = MOD, /, at: int | None = None, **args: Any
    ) -> list[dict[str, Any]]:
        if at is not None:
            self.now = at
        events = decide(self.state, Command(command, args), actor, self.now)
        self.state = fold(self.state, events)
        self.log += events
        return events

    def tick(self, ms: int) -> Run:
        self.now += ms
        return self

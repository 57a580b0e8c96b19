"""Where a pre-recorded statement is, at any server time: pure arithmetic anchored to the wall clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PlaybackStatus = Literal["playing", "paused"]


@dataclass(frozen=True, slots=True)
class Playback:
    """A video being screened: at `anchor` it was at `position_ms`; while playing it advances 1:1."""

    status: PlaybackStatus
    speaker_id: str
    position_ms: int
    anchor: int
    duration_ms: int | None

    def position(self, now: int) -> int:
        """The position at server time `now`, never past the end when the duration is known."""
        pos = self.position_ms + max(0, now - self.anchor) if self.status == "playing" else self.position_ms
        if self.duration_ms is not None:
            pos = min(pos, self.duration_ms)
        return pos

    def ends_at(self) -> int | None:
        """The server time at which a playing video reaches its end (None if paused or length unknown)."""
        if self.status != "playing" or self.duration_ms is None:
            return None
        return self.anchor + max(0, self.duration_ms - self.position_ms)

    def pause(self, now: int) -> Playback:
        return Playback("paused", self.speaker_id, self.position(now), now, self.duration_ms)

    def resume(self, now: int) -> Playback:
        return Playback("playing", self.speaker_id, self.position_ms, now, self.duration_ms)

    def seek(self, position_ms: int, now: int) -> Playback:
        return Playback(self.status, self.speaker_id, position_ms, now, self.duration_ms)

    def wire(self) -> dict[str, object]:
        """The `playback` object of the contract."""
        return {
            "status": self.status,
            "speaker_id": self.speaker_id,
            "position_ms": self.position_ms,
            "anchor": self.anchor,
            "duration_ms": self.duration_ms,
        }

"""The tests' client of the live channel: benchmarks/live.py's `Stepwise`, the one client harness
the tests and the benchmarks share (it reads frame by frame in the test's own coroutine)."""

from __future__ import annotations

from benchmarks.live import Stepwise as Live

__all__ = ["Live"]

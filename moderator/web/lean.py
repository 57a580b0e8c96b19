"""What an open WebSocket keeps per connection, made small: stand-ins for the `asyncio.Queue` and
`asyncio.Event` that uvicorn's sans-I/O protocol creates for every connection.

uvicorn's protocol hands the ASGI app its messages through an `asyncio.Queue` (three deques and
an `asyncio.Event` inside: about 3 KiB for a queue that holds a message now and then) and waits
for the socket's buffer to drain on an `asyncio.Event` (one more deque). A screen's connection
holds them for hours, so at 10,000 viewers they are tens of MiB. guard.py's protocol replaces
both with these, which keep a list and at most a waiter or two: the same methods uvicorn calls
(`put_nowait`, `get`, `empty`; `set`, `clear`, `is_set`, `wait`), the same behaviour for its
one reader (docs/architecture.md, The fan-out: memory per viewer).
"""

from __future__ import annotations

import asyncio
from typing import Any


class _Waiters:
    """Futures of the coroutines waiting on one object; the list exists only while some wait."""

    __slots__ = ("_waiters",)

    def __init__(self) -> None:
        self._waiters: list[asyncio.Future[None]] | None = None

    async def _wait(self) -> None:
        """Wait until `_wake_one` or `_wake_all` resolves this waiter."""
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters and waiter in self._waiters:
                self._waiters.remove(waiter)

    def _wake_one(self) -> None:
        """Wake the oldest waiter still waiting."""
        while self._waiters:
            waiter = self._waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                return

    def _wake_all(self) -> None:
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)


class Inbox(_Waiters):
    """An unbounded FIFO for one connection's ASGI messages: `put_nowait` never blocks, `get` waits."""

    __slots__ = ("_items",)

    def __init__(self) -> None:
        super().__init__()
        self._items: list[Any] = []

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        self._wake_one()

    async def get(self) -> Any:
        while not self._items:
            try:
                await self._wait()
            except BaseException:
                if self._items:
                    self._wake_one()  # woken and then cancelled: the item goes to the next reader
                raise
        return self._items.pop(0)

    def empty(self) -> bool:
        return not self._items


class Flag(_Waiters):
    """A set/clear flag to wait on (asyncio.Event's methods)."""

    __slots__ = ("_value",)

    def __init__(self, value: bool = False) -> None:
        super().__init__()
        self._value = value

    def is_set(self) -> bool:
        return self._value

    def set(self) -> None:
        self._value = True
        self._wake_all()

    def clear(self) -> None:
        self._value = False

    async def wait(self) -> bool:
        if not self._value:
            await self._wait()
        return True

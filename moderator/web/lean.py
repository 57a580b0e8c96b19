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


class Inbox:
    """An unbounded FIFO for one connection's ASGI messages: `put_nowait` never blocks, `get` waits."""

    __slots__ = ("_items", "_waiters")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiters: list[asyncio.Future[None]] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        self._wake()

    async def get(self) -> Any:
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            if self._waiters is None:
                self._waiters = []
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if self._waiters and waiter in self._waiters:
                    self._waiters.remove(waiter)
                if self._items:
                    self._wake()  # woken and then cancelled: the item goes to the next reader
                raise
        return self._items.pop(0)

    def _wake(self) -> None:
        """Wake the oldest reader still waiting."""
        while self._waiters:
            waiter = self._waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                return

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)


class Flag:
    """A set/clear flag to wait on (asyncio.Event's methods); a list of waiters only while some wait."""

    __slots__ = ("_value", "_waiters")

    def __init__(self, value: bool = False) -> None:
        self._value = value
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._value

    def set(self) -> None:
        self._value = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._value = False

    async def wait(self) -> bool:
        if self._value:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters and waiter in self._waiters:
                self._waiters.remove(waiter)
        return True

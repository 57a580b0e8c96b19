"""The small stand-ins for uvicorn's per-connection asyncio.Queue and Event (web/lean.py)."""

from __future__ import annotations

import asyncio
import sys

from moderator.web.lean import Flag, Inbox


async def test_the_inbox_hands_messages_over_in_order_and_a_reader_waits_for_the_next() -> None:
    inbox = Inbox()
    assert inbox.empty()
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    assert not inbox.empty()
    assert [await inbox.get(), await inbox.get()] == [1, 2]
    reader = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    assert not reader.done()
    inbox.put_nowait("disconnect")
    assert await asyncio.wait_for(reader, 5) == "disconnect"
    assert inbox.empty()


async def test_a_reader_cancelled_after_it_was_woken_leaves_the_message_to_the_next_one() -> None:
    inbox = Inbox()
    first = asyncio.ensure_future(inbox.get())
    second = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    inbox.put_nowait("only")
    first.cancel()  # woken, then cancelled before it ran
    assert await asyncio.wait_for(second, 5) == "only"
    assert first.cancelled()


async def test_a_cancelled_reader_is_forgotten() -> None:
    inbox = Inbox()
    reader = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    reader.cancel()
    await asyncio.gather(reader, return_exceptions=True)
    inbox.put_nowait("later")
    assert await asyncio.wait_for(inbox.get(), 5) == "later"


async def test_the_flag_lets_waiters_through_once_set_and_holds_them_while_clear() -> None:
    flag = Flag(True)
    assert flag.is_set() and await flag.wait()
    flag.clear()
    waiters = [asyncio.ensure_future(flag.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    assert not any(w.done() for w in waiters)
    flag.set()
    assert await asyncio.wait_for(asyncio.gather(*waiters), 5) == [True, True, True]


def test_an_idle_inbox_and_flag_are_a_fraction_of_what_asyncio_queue_and_event_hold() -> None:
    def size(obj: object) -> int:
        slots = [s for cls in type(obj).__mro__ for s in getattr(cls, "__slots__", ())]
        held = [obj, *(getattr(obj, s) for s in slots)]
        held += list(vars(obj).values()) if hasattr(obj, "__dict__") else []
        for value in list(held[1:]):
            held += list(vars(value).values()) if hasattr(value, "__dict__") else []
        return sum(sys.getsizeof(v) for v in held)

    ours = size(Inbox()) + size(Flag(True))
    theirs = size(asyncio.Queue()) + size(asyncio.Event())
    assert ours * 5 < theirs, (ours, theirs)

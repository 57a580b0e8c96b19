"""The Store protocol's promises, one test each, run by every implementation (eventsourcing style).

An implementation's test module subclasses `StoreContract` and gives it four fixtures:

- `connect`: an async callable opening a new connection (a Store) to one fresh database, the
  same database on every call of one test (two connections are two writers);
- `refuse_writes`: an async context manager factory; inside it the database takes no writes
  (a read-only file, a read-only transaction mode...), after it it takes them again;
- `open_unusable`: an async callable that tries to open a store where none can be;
- `stored_bytes`: an async callable returning everything the database holds, as bytes.

tests/store/test_sqlite.py does it for SQLite; a PostgreSQL store runs the same suite by adding
one such class.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from moderator.core.agenda import parse_agenda
from moderator.core.attendance import PresenceSpan
from moderator.store.protocol import (
    Event,
    SequenceConflict,
    SeriesAmendment,
    SeriesInfo,
    Statement,
    Store,
    StoreUnavailable,
    Video,
)
from tests.support.agenda import agenda

Connect = Callable[[], Awaitable[Store]]
RefuseWrites = Callable[[], contextlib.AbstractAsyncContextManager[None]]
Commit = tuple[str, int, list[Event]]
TIMEOUT = 10  # seconds; only a guard against a hang


def ev(kind: str, at: int, **body: Any) -> Event:
    return {"type": kind, "at": at, **body}


class Commits:
    """A subscriber that keeps what it is given, and a way to await the next ones."""

    def __init__(self) -> None:
        self.seen: list[Commit] = []
        self._changed = asyncio.Event()

    async def __call__(self, session_id: str, after_seq: int, events: list[Event]) -> None:
        self.seen.append((session_id, after_seq, events))
        self._changed.set()

    async def until(self, count: int) -> list[Commit]:
        async with asyncio.timeout(TIMEOUT):
            while len(self.seen) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.seen


class StoreContract:
    """What every Store promises. Subclasses provide the fixtures named in the module's docstring."""

    @pytest.fixture
    async def store(self, connect: Connect) -> AsyncIterator[Store]:
        store = await connect()
        try:
            yield store
        finally:
            await store.close()

    @pytest.fixture
    async def other(self, connect: Connect) -> AsyncIterator[Store]:
        """A second connection to the same database: another writer (another process)."""
        store = await connect()
        try:
            yield store
        finally:
            await store.close()

    # ---- the event log ----------------------------------------------------------------------

    async def test_appends_number_events_from_one_and_they_come_back_in_order(self, store: Store) -> None:
        assert await store.events("S1") == []
        assert await store.append("S1", 0, [ev("a", 1), ev("b", 2)]) == 2
        assert await store.append("S2", 0, [ev("x", 3)]) == 1
        assert await store.append("S1", 2, [ev("c", 4)]) == 3
        assert await store.events("S1") == [ev("a", 1), ev("b", 2), ev("c", 4)]
        assert await store.events("S1", 1) == [ev("b", 2), ev("c", 4)], "the tail after seq 1"
        assert await store.events("S1", 3) == []
        assert await store.all_events() == {"S1": [ev("a", 1), ev("b", 2), ev("c", 4)], "S2": [ev("x", 3)]}

    async def test_an_event_comes_back_as_it_went_in(self, store: Store, other: Store) -> None:
        event = ev(
            "message.shown",
            1_900_000_000_123,
            text='Ça va ? 日本語 \u202e\U0001f600 "quoted" \\ back',
            to=None,
            nested={"list": [1, 2.5, True, None], "empty": {}},
        )
        await store.append("S1", 0, [event])
        assert await other.events("S1") == [event], "read back by another connection too"

    async def test_an_append_after_a_seq_that_is_not_the_last_is_a_conflict_and_stores_nothing(
        self, store: Store, other: Store
    ) -> None:
        """Behind (another writer appended first) or ahead (a gap): SequenceConflict, nothing kept."""
        assert await store.append("S1", 0, [ev("mine", 1)]) == 1
        with pytest.raises(SequenceConflict):
            await other.append("S1", 0, [ev("theirs", 2), ev("theirs too", 3)])
        with pytest.raises(SequenceConflict):
            await other.append("S1", 2, [ev("after a gap", 4)])
        with pytest.raises(SequenceConflict):
            await store.append("S1", 0, [ev("mine again", 5)])
        assert await other.events("S1") == [ev("mine", 1)]
        assert await other.append("S1", 1, [ev("theirs", 6)]) == 2, "after the last seq it is taken"
        assert await store.events("S1") == [ev("mine", 1), ev("theirs", 6)]

    async def test_two_writers_racing_for_the_same_seq_one_wins_whole(
        self, store: Store, other: Store
    ) -> None:
        results = await asyncio.gather(
            store.append("S1", 0, [ev("a", 1), ev("a", 2)]),
            other.append("S1", 0, [ev("b", 1), ev("b", 2), ev("b", 3)]),
            return_exceptions=True,
        )
        wins = [r for r in results if isinstance(r, int)]
        assert len(wins) == 1 and isinstance(
            next(r for r in results if not isinstance(r, int)), SequenceConflict
        )
        stored = await store.events("S1")
        assert len(stored) == wins[0] and len({e["type"] for e in stored}) == 1, "no mix of the two"

    # ---- the subscription -------------------------------------------------------------------

    async def test_a_subscriber_gets_every_commit_once_in_commit_order(self, connect: Connect) -> None:
        store = await connect()
        commits = Commits()
        store.subscribe(commits)
        try:
            await store.append("S1", 0, [ev("a", 1), ev("b", 2)])
            await store.append("S2", 0, [ev("x", 3)])
            with pytest.raises(SequenceConflict):
                await store.append("S1", 0, [ev("refused", 4)])
            await store.append("S1", 2, [ev("c", 5)])
            await commits.until(3)
        finally:
            await store.close()  # delivers what was committed before it, then stops
        assert commits.seen == [
            ("S1", 0, [ev("a", 1), ev("b", 2)]),
            ("S2", 0, [ev("x", 3)]),
            ("S1", 2, [ev("c", 5)]),
        ]

    async def test_subscribers_are_awaited_one_commit_at_a_time(self, connect: Connect) -> None:
        """A subscriber still busy with a commit gets the next one only after it returns."""
        store = await connect()
        started, release = asyncio.Event(), asyncio.Event()
        log: list[str] = []

        async def slow(session_id: str, after_seq: int, events: list[Event]) -> None:
            log.append(f"start {after_seq}")
            if after_seq == 0:
                started.set()
                await release.wait()
            log.append(f"end {after_seq}")

        async def appends() -> None:
            await store.append("S1", 0, [ev("a", 1)])
            await store.append("S1", 1, [ev("b", 2)])

        later = Commits()
        store.subscribe(slow)
        store.subscribe(later)
        try:
            appending = asyncio.create_task(appends())
            async with asyncio.timeout(TIMEOUT):
                await started.wait()  # busy with the first commit
            release.set()
            await appending
            await later.until(2)
        finally:
            await store.close()
        assert log == ["start 0", "end 0", "start 1", "end 1"]
        assert [c[1] for c in later.seen] == [0, 1]

    async def test_a_subscriber_that_raises_does_not_keep_the_commit_from_the_others(
        self, connect: Connect
    ) -> None:
        store = await connect()

        async def broken(session_id: str, after_seq: int, events: list[Event]) -> None:
            raise KeyError("a subscriber's bug")

        commits = Commits()
        store.subscribe(broken)
        store.subscribe(commits)
        try:
            assert await store.append("S1", 0, [ev("a", 1)]) == 1
            assert await store.append("S1", 1, [ev("b", 2)]) == 2
            await commits.until(2)
        finally:
            await store.close()
        assert [c[1] for c in commits.seen] == [0, 1]

    # ---- tokens -----------------------------------------------------------------------------

    async def test_tokens_name_their_holder_and_are_kept_only_as_hashes(
        self, store: Store, stored_bytes: Callable[[], Awaitable[bytes]]
    ) -> None:
        generated = await store.ensure_admin_token(None)
        assert generated is not None and await store.ensure_admin_token(None) is None, "generated once"
        created = await store.create_series(parse_agenda(agenda()))
        admin = await store.principal(generated)
        assert admin is not None and admin.role == "admin"
        moderator = await store.principal(created.moderator_token)
        assert moderator is not None and (moderator.role, moderator.series_id) == (
            "moderator",
            created.series_id,
        )
        for d in created.delegations:
            who = await store.principal(d["token"])
            assert who is not None and (who.role, who.series_id, who.state) == (
                "delegation",
                created.series_id,
                d["state"],
            )
        assert await store.principal("not a token") is None
        assert await store.principal("") is None
        clear = [generated, created.moderator_token, *(d["token"] for d in created.delegations)]
        held = await stored_bytes()
        assert [t for t in clear if t.encode() in held] == [], "a token is stored in clear"

    async def test_an_admin_token_from_the_environment_replaces_the_generated_one(self, store: Store) -> None:
        generated = await store.ensure_admin_token(None)
        assert generated is not None
        assert await store.ensure_admin_token("from-the-environment-0123456789") is None
        assert await store.principal(generated) is None
        who = await store.principal("from-the-environment-0123456789")
        assert who is not None and who.role == "admin"
        assert await store.ensure_admin_token(None) is None, "an admin token exists: none generated"

    async def test_reissued_tokens_replace_the_old_ones(self, store: Store) -> None:
        created = await store.create_series(parse_agenda(agenda()))
        moderator, missions = await store.reissue_tokens(created.series_id)
        assert await store.principal(created.moderator_token) is None
        assert all([await store.principal(d["token"]) is None for d in created.delegations])
        who = await store.principal(moderator)
        assert who is not None and (who.role, who.series_id) == ("moderator", created.series_id)
        assert sorted(missions) == sorted(d["state"] for d in created.delegations)
        for state, token in missions.items():
            mission = await store.principal(token)
            assert mission is not None and (mission.role, mission.state) == ("delegation", state)

    # ---- setups -----------------------------------------------------------------------------

    async def test_a_series_comes_back_as_its_agenda_said(self, store: Store) -> None:
        parsed = parse_agenda(agenda())
        created = await store.create_series(parsed)
        (info,) = await store.series(created.series_id)
        assert (info.id, info.title, info.format, info.venue, info.timezone) == (
            created.series_id,
            parsed.title,
            parsed.format,
            parsed.venue,
            parsed.timezone,
        )
        assert await store.series("no such series") == []
        assert await store.delegations(created.series_id) == sorted(
            (d.state, d.label) for d in parsed.delegations
        )
        setups = await store.setups()
        assert [s.session_id for s in setups] == [s["id"] for s in created.sessions]
        for setup, session, made in zip(setups, parsed.sessions, created.sessions, strict=True):
            assert (setup.series_id, setup.key, setup.series_title, setup.format, setup.venue) == (
                created.series_id,
                session.key,
                parsed.title,
                parsed.format,
                parsed.venue,
            )
            assert (setup.state_under_review, setup.start_ms, setup.minutes, setup.question_seconds) == (
                session.state_under_review,
                session.start_ms,
                session.minutes,
                session.question_seconds,
            )
            assert (setup.warning_seconds, setup.answer_seconds) == (
                session.warning_seconds,
                session.answer_seconds,
            )
            assert [sp.id for sp in setup.speakers] == [sp["id"] for sp in made["speakers"]]
            assert [
                (sp.key, sp.name, sp.organisation, sp.kind, sp.theme, sp.language, sp.allotted_ms)
                for sp in setup.speakers
            ] == [
                (sp.key, sp.name, sp.organisation, sp.kind, sp.theme, sp.language, sp.seconds * 1000)
                for sp in session.speakers
            ]
            assert [(sp.public_name, sp.publish) for sp in setup.speakers] == [
                (sp.public_name, sp.publish) for sp in session.speakers
            ]
            assert await store.setups(setup.session_id) == [setup]
            for speaker in setup.speakers:
                assert await store.session_of_speaker(speaker.id) == setup.session_id
        assert await store.session_of_speaker("no such speaker") is None
        assert await store.setups("no such session") == []

    async def test_series_are_listed_in_the_order_they_were_created(self, store: Store) -> None:
        first = await store.create_series(parse_agenda(agenda(title="First")))
        second = await store.create_series(parse_agenda(agenda(title="Second")))
        assert [s.id for s in await store.series()] == [first.series_id, second.series_id]
        assert [s.series_id for s in await store.setups()][-1] == second.series_id

    async def test_a_series_another_connection_created_shows_as_a_change(
        self, store: Store, other: Store
    ) -> None:
        version, setups = await store.setups_if_changed(None)
        assert setups == []
        assert await store.setups_if_changed(version) == (version, None), "nothing changed"
        created = await other.create_series(parse_agenda(agenda()))
        version, setups = await store.setups_if_changed(version)
        assert setups is not None and [s.session_id for s in setups] == [s["id"] for s in created.sessions]
        assert await store.setups_if_changed(version) == (version, None)

    # ---- changing a series (PUT /api/series/{id}) --------------------------------------------

    async def test_a_series_amendment_is_stored_whole_and_keeps_ids_and_tokens(self, store: Store) -> None:
        """Series facts, events in several logs, new, moved and removed sessions, delegations added,
        relabelled and removed: all in one commit; kept ids and tokens keep working."""
        doc = agenda()
        doc["sessions"][1]["format"] = "virtual"
        doc["sessions"][1]["sur_statement_seconds"] = 300
        created = await store.create_series(parse_agenda(doc))
        series_id = created.series_id
        am, se = (s["id"] for s in created.sessions)
        (setup_se,) = await store.setups(se)
        assert (setup_se.format, setup_se.sur_statement_seconds) == ("virtual", 300), "per session"
        tokens = {d["state"]: d["token"] for d in created.delegations}
        commits = Commits()
        store.subscribe(commits)
        await store.append(am, 0, [ev("session.opened", 1)])
        extra = parse_agenda(
            agenda(
                sessions=[
                    {
                        "key": "NEW",
                        "state_under_review": "FR",
                        "start": "2030-12-11T10:00:00+01:00",
                        "speakers": [{"key": "n1", "name": "Nadia", "kind": "cso", "language": "fr"}],
                    }
                ]
            )
        )
        amendment = SeriesAmendment(
            series=SeriesInfo(series_id, "Renamed", "hybrid", "Online", "Europe/Paris"),
            appends={am: (1, [ev("speaker.moved", 2, speaker_id="x", position=0)]), se: (0, [ev("a", 2)])},
            created=[(0, extra.sessions[0])],
            positions={am: 1, se: 2},
            removed=[],
            delegations_added=[("DE", "Germany", "a-new-token-for-germany")],
            delegations_relabelled=[("FR", "France")],
            delegations_removed=["KE"],
        )
        (new,) = await store.amend_series(series_id, amendment)
        assert new["key"] == "NEW" and [sp["key"] for sp in new["speakers"]] == ["n1"]
        assert await store.series_sessions(series_id) == [new["id"], am, se]
        (info,) = await store.series(series_id)
        assert (info.title, info.format, info.venue, info.timezone) == (
            "Renamed",
            "hybrid",
            "Online",
            "Europe/Paris",
        )
        assert [e["type"] for e in await store.events(am)] == ["session.opened", "speaker.moved"]
        assert [e["type"] for e in await store.events(se)] == ["a"]
        await store.append(se, 1, [ev("after", 3)])  # delivered after the amendment's own commits
        seen = (await commits.until(4))[1:]
        assert seen[-1] == (se, 1, [ev("after", 3)])
        assert sorted(map(str, seen[:-1])) == sorted(
            map(str, [(am, 1, [ev("speaker.moved", 2, speaker_id="x", position=0)]), (se, 0, [ev("a", 2)])])
        ), "each session's append goes to the subscribers"
        delegations = dict(await store.delegations(series_id))
        assert "KE" not in delegations and delegations["FR"] == "France" and delegations["DE"] == "Germany"
        assert await store.principal(tokens["KE"]) is None, "a removed mission's token stops working"
        fr = await store.principal(tokens["FR"])
        assert fr is not None and (fr.role, fr.state) == ("delegation", "FR"), "kept tokens still work"
        de = await store.principal("a-new-token-for-germany")
        assert de is not None and (de.series_id, de.state) == (series_id, "DE")
        moderator = await store.principal(created.moderator_token)
        assert moderator is not None and moderator.role == "moderator"
        (setup,) = await store.setups(new["id"])
        assert (setup.state_under_review, setup.format) == ("FR", "hybrid")
        await store.amend_series(series_id, replace_removed(amendment, series_id, [new["id"]]))
        assert await store.series_sessions(series_id) == [am, se]
        assert await store.setups(new["id"]) == []

    async def test_an_amendment_behind_a_log_is_a_conflict_and_stores_nothing(
        self, store: Store, other: Store
    ) -> None:
        created = await store.create_series(parse_agenda(agenda()))
        series_id = created.series_id
        am, se = (s["id"] for s in created.sessions)
        await other.append(se, 0, [ev("theirs", 1)])
        amendment = SeriesAmendment(
            series=SeriesInfo(series_id, "Renamed", "in_person", "", "Europe/Zurich"),
            appends={am: (0, [ev("mine", 2)]), se: (0, [ev("mine", 2)])},
            created=[],
            positions={},
            removed=[am],
            delegations_added=[],
            delegations_relabelled=[],
            delegations_removed=["FR"],
        )
        with pytest.raises(SequenceConflict):
            await store.amend_series(series_id, amendment)
        assert (await store.series(series_id))[0].title == "Test series"
        assert await store.events(am) == [] and await store.events(se) == [ev("theirs", 1)]
        assert await store.series_sessions(series_id) == [am, se]
        assert "FR" in dict(await store.delegations(series_id))

    # ---- videos -----------------------------------------------------------------------------

    async def test_a_speakers_video_is_recorded_and_replaced(self, store: Store) -> None:
        created = await store.create_series(parse_agenda(agenda()))
        speaker = created.sessions[0]["speakers"][0]["id"]
        assert await store.video(speaker) is None
        first = Video(speaker, f"{speaker}-a.mp4", "video/mp4", 1234, 5000)
        await store.save_video(first)
        assert await store.video(speaker) == first
        second = Video(speaker, f"{speaker}-b.webm", "video/webm", 99, None)
        await store.save_video(second)
        assert await store.video(speaker) == second

    async def test_a_speakers_written_statement_is_recorded_replaced_and_found_by_its_file_name(
        self, store: Store, other: Store
    ) -> None:
        created = await store.create_series(parse_agenda(agenda()))
        speaker = created.sessions[0]["speakers"][0]["id"]
        assert await store.statement(speaker) is None and await store.statement_named("x.pdf") is None
        first = Statement(speaker, "a1.pdf", 1234)
        await store.save_statement(first)
        assert await other.statement(speaker) == first == await other.statement_named("a1.pdf")
        second = Statement(speaker, "b2.pdf", 99)
        await store.save_statement(second)
        assert await store.statement(speaker) == second
        assert await store.statement_named("a1.pdf") is None, "the old file name leads nowhere"

    # ---- presence ---------------------------------------------------------------------------

    async def test_presence_spans_open_close_and_come_back_by_session_then_time(
        self, store: Store, other: Store
    ) -> None:
        a = await store.presence_began("S1", "FR", 2_000)
        b = await store.presence_began("S1", "BR", 1_000)
        c = await store.presence_began("S2", "FR", 5_000)
        assert len({a, b, c}) == 3
        await store.presence_ended(a, 3_000)
        await store.presence_ended(a, 9_000)  # a second end changes nothing
        assert await other.presence(["S1"]) == [
            PresenceSpan("S1", "BR", 1_000, None),
            PresenceSpan("S1", "FR", 2_000, 3_000),
        ]
        assert await store.presence([]) == []
        assert await store.presence(["S2", "S9"]) == [PresenceSpan("S2", "FR", 5_000, None)]

    async def test_ending_presence_at_shutdown_closes_only_the_open_spans(self, store: Store) -> None:
        a = await store.presence_began("S1", "FR", 2_000)
        await store.presence_began("S1", "BR", 2_500)
        await store.presence_began("S1", "CU", 9_000)  # a clock behind: never a negative span
        await store.presence_ended(a, 3_000)
        assert await store.end_presence(8_000) == 2
        assert await store.presence(["S1"]) == [
            PresenceSpan("S1", "FR", 2_000, 3_000),
            PresenceSpan("S1", "BR", 2_500, 8_000),
            PresenceSpan("S1", "CU", 9_000, 9_000),
        ]
        assert await store.end_presence(10_000) == 0

    async def test_a_screens_name_is_kept_per_series_replaced_and_forgotten(
        self, store: Store, other: Store
    ) -> None:
        assert await store.screen_names("series-a") == {}
        await store.name_screen("series-a", "projector-01", "Projector")
        await store.name_screen("series-a", "laptop-0001", "Podium laptop")
        await store.name_screen("series-b", "projector-01", "Other room")
        await store.name_screen("series-a", "projector-01", "Big screen")
        # Another connection reads it (a restart of the server, another process).
        assert await other.screen_names("series-a") == {
            "projector-01": "Big screen",
            "laptop-0001": "Podium laptop",
        }
        await other.name_screen("series-a", "laptop-0001", "")
        assert await store.screen_names("series-a") == {"projector-01": "Big screen"}
        assert await store.screen_names("series-b") == {"projector-01": "Other room"}

    # ---- a database that cannot be used -----------------------------------------------------

    async def test_a_database_that_cannot_be_opened_is_unavailable(
        self, open_unusable: Callable[[], Awaitable[Store]]
    ) -> None:
        with pytest.raises(StoreUnavailable) as refused:
            await open_unusable()
        assert refused.value.reason and refused.value.detail

    async def test_writes_a_database_refuses_are_unavailable_and_store_nothing(
        self, store: Store, refuse_writes: RefuseWrites
    ) -> None:
        await store.append("S1", 0, [ev("before", 1)])
        async with refuse_writes():
            with pytest.raises(StoreUnavailable):
                await store.append("S1", 1, [ev("during", 2)])
            with pytest.raises(StoreUnavailable):
                await store.create_series(parse_agenda(agenda()))
        assert await store.events("S1") == [ev("before", 1)]
        assert await store.series() == []
        assert await store.append("S1", 1, [ev("after", 3)]) == 2, "it takes writes again"


def replace_removed(amendment: SeriesAmendment, series_id: str, removed: list[str]) -> SeriesAmendment:
    """An amendment that only removes sessions (no appends, no delegation changes)."""
    return SeriesAmendment(amendment.series, {}, [], {}, removed, [], [], [])

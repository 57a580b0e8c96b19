"""Creating series outside the HTTP API: `moderator import FILE` and the demo week of `moderator demo`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from moderator.core.agenda import AgendaError, AgendaSeries, load_agenda_file, parse_agenda
from moderator.core.errors import N_, Refused
from moderator.demo import DEMO_TITLE, demo_agenda
from moderator.i18n.countries import state_name
from moderator.i18n.translation import format_start, translate, translate_plural
from moderator.runtime.engine import Engine
from moderator.settings import Settings
from moderator.sheets import SheetError, read_sheet
from moderator.sheets.files import MAX_BYTES
from moderator.store import open_store
from moderator.store.protocol import CreatedSeries, Store
from moderator.web import urls

# Files read as a week's spreadsheet (moderator/sheets) rather than as a JSON or YAML document.
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".csv")


def is_sheet(path: Path) -> bool:
    return path.suffix.lower() in SHEET_SUFFIXES


def load_sheet_file(
    path: Path,
    locale: str,
    series: dict[str, Any] | None = None,
    missions: list[dict[str, Any]] | None = None,
) -> tuple[AgendaSeries, Path] | str:
    """A spreadsheet file read into a validated agenda (and its folder), or what to print: each
    problem on its line."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as e:
        return f"{path}: " + translate(
            locale, N_("cannot read the file (%(reason)s)."), {"reason": e.strerror}
        )
    try:
        return read_sheet(data, path.name, series, missions).agenda, path.absolute().parent
    except SheetError as e:
        return "\n".join(f"{path}: {p.sentence(locale)}" for p in e.problems)


async def import_file(
    path: Path, settings: Settings, locale: str = "en", base: str = ""
) -> tuple[CreatedSeries | None, str]:
    """Create the series an agenda file describes (JSON, YAML, or a week's spreadsheet); return it
    with a summary to print (in `locale`), its links on `base` (the public URL or the server's
    address, address.py)."""
    if is_sheet(path):
        read = load_sheet_file(path, locale)
        if isinstance(read, str):
            return None, read
        return await _create(*read, settings, locale, base)
    try:
        agenda, folder = load_agenda_file(path)
    except AgendaError as e:
        return None, f"{path}: {e.where or '-'}: {translate(locale, e.message, e.params)}"
    except OSError as e:
        return None, f"{path}: " + translate(
            locale, N_("cannot read the file (%(reason)s)."), {"reason": e.strerror}
        )
    return await _create(agenda, folder, settings, locale, base)


async def _create(
    agenda: AgendaSeries, folder: Path, settings: Settings, locale: str, base: str
) -> tuple[CreatedSeries | None, str]:
    store = await open_store(settings)
    try:
        created = await store.create_series(agenda)
        engine = Engine(store)
        await engine.load()
        problems = await attach_videos(store, engine, settings, agenda, created, folder)
        engine.close()
    finally:
        await store.close()
    text = summary(agenda, created, base, locale)
    if problems:
        text += (
            "\n\n"
            + translate(locale, N_("Videos not attached:"))
            + "\n"
            + "\n".join(f"  {p}" for p in problems)
        )
    return created, text


# One sentence per kind of change, for the command line's list of what a PUT changed.
_CHANGED = {
    ("changed", "series"): N_("Series: %(fields)s."),
    ("added", "session"): N_("Session %(key)s added."),
    ("removed", "session"): N_("Session %(key)s removed."),
    ("moved", "session"): N_("Session %(key)s moved from place %(old)s to %(new)s."),
    ("changed", "session"): N_("Session %(key)s: %(fields)s."),
    ("added", "speaker"): N_("Session %(session)s: speaker %(name)s added."),
    ("removed", "speaker"): N_("Session %(session)s: speaker %(name)s removed."),
    ("moved", "speaker"): N_("Session %(session)s: speaker %(key)s moved from place %(old)s to %(new)s."),
    ("changed", "speaker"): N_("Session %(session)s: speaker %(key)s: %(fields)s."),
    ("added", "delegation"): N_("Mission of %(state)s added."),
    ("removed", "delegation"): N_("Mission of %(state)s removed: its join card no longer works."),
    ("changed", "delegation"): N_("Mission of %(state)s: %(fields)s."),
}


def _value(value: object) -> str:
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def describe(change: dict[str, Any], locale: str) -> str:
    """One change of a PUT (core/changes.py) as a line for people."""
    fields = ", ".join(
        f"{name} {_value(pair['old'])} → {_value(pair['new'])}"
        for name, pair in change.get("fields", {}).items()
    )
    position = change.get("position") or {}
    params = {
        **change,
        "fields": fields,
        "old": position.get("old", 0) + 1,
        "new": position.get("new", 0) + 1,
        "state": state_name(change["state"], locale) if "state" in change else "",
    }
    return translate(locale, _CHANGED[(change["change"], change["what"])], params)


async def amend_file(
    path: Path, settings: Settings, series_id: str, locale: str = "en", moderator_token: str | None = None
) -> tuple[bool, str]:
    """`moderator import FILE --series ID`: bring a series to an agenda file, as PUT /api/series/{id}
    does; return whether it was done (or nothing needed doing) and what to print (in `locale`)."""
    from moderator.core.snapshot import document
    from moderator.runtime.series import amend, current

    sheet = is_sheet(path)
    if not sheet:
        try:
            agenda, folder = load_agenda_file(path)
        except AgendaError as e:
            return False, f"{path}: {e.where or '-'}: {translate(locale, e.message, e.params)}"
    store = await open_store(settings)
    try:
        if moderator_token is not None:
            who = await store.principal(moderator_token)
            if who is None or who.role != "moderator" or who.series_id != series_id:
                message = N_("MODERATOR_SERIES_TOKEN is not the moderator token of series %(series)s.")
                return False, translate(locale, message, {"series": series_id})
        engine = Engine(store)
        await engine.load()
        if sheet:  # its series' fields and missions default to the series' own
            now = await current(engine, store, series_id)
            if now is None:
                engine.close()
                return False, translate(locale, N_("There is no such series."))
            doc = document(now.series, now.sessions, now.delegations)
            given = {k: doc.get(k) for k in ("title", "format", "venue", "timezone")}
            missions = [{k: v for k, v in d.items() if k in ("state", "label")} for d in doc["delegations"]]
            read = load_sheet_file(path, locale, given, missions)
            if isinstance(read, str):
                engine.close()
                return False, read
            agenda, folder = read
        try:
            outcome = await amend(engine, store, series_id, agenda, moderator_token)
        except Refused as e:
            return False, translate(locale, e.message, e.params)
        finally:
            engine.close()
        found = outcome.diff
        if found.conflicts:
            first = found.conflicts[0]
            nothing = translate(locale, N_("Nothing was changed."))
            why = translate(locale, first.refused.message, first.refused.params)
            return False, f"{path}: {first.where}: {why} {nothing}"
        lines = [describe(c, locale) for c in found.changes]
        if not found.changes:
            return True, translate(locale, N_("No change: the series already matches the file."))
        head = translate_plural(
            locale,
            "%(n)s change made to the series %(title)s:",
            "%(n)s changes made to the series %(title)s:",
            len(found.changes),
            {"title": agenda.title},
        )
        text = "\n".join([head, *(f"  {line}" for line in lines)])
        for code, token in outcome.tokens.items():
            if any(d.state == code for d in found.delegations_added):
                text += f"\n  {state_name(code, locale):<24} {urls.join(token)}"
        problems = await _attach_by_key(store, engine, settings, agenda, series_id, folder)
        if problems:
            text += (
                "\n\n"
                + translate(locale, N_("Videos not attached:"))
                + "\n"
                + "\n".join(f"  {p}" for p in problems)
            )
        return True, text
    finally:
        await store.close()


async def _attach_by_key(
    store: Store, engine: Engine, settings: Settings, agenda: AgendaSeries, series_id: str, folder: Path
) -> list[str]:
    """The videos an amended agenda names, attached to its speakers found by key."""
    from moderator.web.media import MediaError, attach_file

    ids = {
        state.setup.key: {s.key: s.id for s in state.speakers}
        for state in engine.states()
        if state.setup.series_id == series_id
    }
    problems = []
    for session in agenda.sessions:
        for sp in session.speakers:
            speaker_id = ids.get(session.key, {}).get(sp.key)
            if sp.video is None or speaker_id is None:
                continue
            try:
                await attach_file(store, engine, settings, speaker_id, folder / sp.video)
            except MediaError as e:
                problems.append(f"{session.key}/{sp.key}: {sp.video}: {e.english()}")
    return problems


async def attach_videos(
    store: Store,
    engine: Engine,
    settings: Settings,
    agenda: AgendaSeries,
    created: CreatedSeries,
    folder: Path,
) -> list[str]:
    """Attach the video files an agenda names (paths relative to the agenda file)."""
    from moderator.web.media import MediaError, attach_file

    problems = []
    for s_agenda, s_created in zip(agenda.sessions, created.sessions, strict=True):
        for sp, sp_created in zip(s_agenda.speakers, s_created["speakers"], strict=True):
            if sp.video is None:
                continue
            try:
                await attach_file(store, engine, settings, sp_created["id"], folder / sp.video)
            except MediaError as e:
                problems.append(f"{s_agenda.key}/{sp.key}: {sp.video}: {e.english()}")
    return problems


def summary(agenda: AgendaSeries, created: CreatedSeries, base: str, locale: str = "en") -> str:
    """What an organiser needs to start: every screen's URL, with tokens."""
    starts = {s.key: (s.start_ms, s.state_under_review) for s in agenda.sessions}
    return _summary(
        agenda.title,
        agenda.timezone,
        [(*starts[c["key"]], c["id"]) for c in created.sessions],
        created,
        base,
        locale,
    )


def _summary(
    title: str,
    timezone: str,
    sessions: list[tuple[int, str, str]],
    created: CreatedSeries,
    base: str,
    locale: str,
) -> str:
    tz = ZoneInfo(timezone)
    token = created.moderator_token
    lines = [
        translate_plural(
            locale,
            "Series: %(title)s (%(n)s session)",
            "Series: %(title)s (%(n)s sessions)",
            len(sessions),
            {"title": title},
        ),
        translate(locale, N_("Moderator token: %(token)s"), {"token": token}),
        "",
        translate(locale, N_("Screens for the whole series (set up once; they follow the sessions):")),
        *(f"  {name:<8} {base}{link}" for name, link in urls.series_links(created.series_id).items()),
        "",
    ]
    for start_ms, sur, sid in sessions:
        when = format_start(start_ms, tz, locale)
        lines += [
            f"{when}  {state_name(sur, locale)}",
            f"  console  {base}{urls.screen(sid, 'console')}#token={token}",
            f"  speaker  {base}{urls.screen(sid, 'speaker')}    room  {base}{urls.screen(sid, 'room')}"
            f"    watch  {base}{urls.screen(sid, 'watch')}",
        ]
    lines += [
        "",
        translate(
            locale,
            N_("Missions' join cards (printable, one QR code per mission): %(url)s"),
            {"url": f"{base}{urls.cards(created.series_id)}#token={token}"},
        ),
        translate(
            locale,
            N_("The week's report (printable; CSV and Excel): %(url)s"),
            {"url": f"{base}{urls.report_page(created.series_id)}#token={token}"},
        ),
        translate(
            locale,
            N_("Published statements (public): %(url)s"),
            {"url": f"{base}{urls.statements(created.series_id)}"},
        ),
    ]
    if created.delegations:
        sur = sessions[0][1] if sessions else ""
        sample = [d for d in created.delegations if d["state"] in (sur, "FR", "BR", "KE", "JP")]
        lines.append(translate(locale, N_("Some missions' phones:")))
        lines += [f"  {state_name(d['state'], locale):<24} {base}{urls.join(d['token'])}" for d in sample]
    return "\n".join(lines)


async def prepare_demo(settings: Settings, base: str, now: datetime, locale: str = "en") -> str:
    """Create the demo week on first run, its first session starting a few minutes after `now`;
    on later runs issue fresh tokens (none is stored in clear)."""
    store = await open_store(settings)
    try:
        existing = [s for s in await store.series() if s.title == DEMO_TITLE]
        if existing:
            series = existing[0]
            token, tokens = await store.reissue_tokens(series.id)
            head = translate(
                locale,
                N_("Demo week already in the database: fresh tokens issued (the old ones no longer work)."),
            )
        else:
            created = await store.create_series(parse_agenda(demo_agenda(now)))
            series = (await store.series(created.series_id))[0]
            token, tokens = created.moderator_token, {d["state"]: d["token"] for d in created.delegations}
            head = translate(locale, N_("Demo week created."))
        setups = [s for s in await store.setups() if s.series_id == series.id]
    finally:
        await store.close()
    created = CreatedSeries(
        series.id,
        token,
        [
            {"key": s.key, "id": s.session_id, "speakers": [{"key": p.key, "id": p.id} for p in s.speakers]}
            for s in setups
        ],
        [{"state": k, "token": v} for k, v in tokens.items()],
    )
    sessions = [(s.start_ms, s.state_under_review, s.session_id) for s in setups]
    opening = translate(locale, N_("Open %(url)s in a browser."), {"url": f"{base}/"})
    return f"{head}\n{opening}\n\n" + _summary(series.title, series.timezone, sessions, created, base, locale)

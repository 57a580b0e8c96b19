"""Creating series outside the HTTP API: `moderator import FILE` and the demo week of `moderator demo`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from moderator.core.agenda import AgendaError, AgendaSeries, load_agenda_file, parse_agenda
from moderator.core.errors import N_
from moderator.demo import DEMO_TITLE, demo_agenda
from moderator.i18n.countries import state_name
from moderator.i18n.translation import format_start, translate, translate_plural
from moderator.runtime.engine import Engine
from moderator.settings import Settings
from moderator.store import open_store
from moderator.store.protocol import CreatedSeries, Store
from moderator.web import urls


async def import_file(path: Path, settings: Settings, locale: str = "en") -> tuple[CreatedSeries | None, str]:
    """Create the series an agenda file describes; return it with a summary to print (in `locale`)."""
    try:
        agenda, folder = load_agenda_file(path)
    except AgendaError as e:
        return None, f"{path}: {e.where or '-'}: {translate(locale, e.message, e.params)}"
    except OSError as e:
        return None, f"{path}: " + translate(
            locale, N_("cannot read the file (%(reason)s)."), {"reason": e.strerror}
        )
    store = await open_store(settings)
    try:
        created = await store.create_series(agenda)
        engine = Engine(store)
        await engine.load()
        problems = await attach_videos(store, engine, settings, agenda, created, folder)
        engine.close()
    finally:
        await store.close()
    text = summary(agenda, created, "", locale)
    if problems:
        text += (
            "\n\n"
            + translate(locale, N_("Videos not attached:"))
            + "\n"
            + "\n".join(f"  {p}" for p in problems)
        )
    return created, text


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

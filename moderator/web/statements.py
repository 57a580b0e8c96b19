"""Written statements (PDF): upload, and reading them, by missions during the session and by
everyone afterwards only where the speaker consented (`publish: true`).

`PUT /api/speakers/{speaker_id}/statement` (admin or that series' moderator) streams the body to
a temporary file in the media folder, checks its size on every chunk and its first bytes
(`%PDF-`), renames it into place under a random name that says nothing of the speaker (no name,
no id) and records it (the store's `statements`). Who may read one:

- a mission, with its join token, a statement of a speaker of the session its phone follows
  while that session is not closed (`/join/{token}/statements/{speaker_id}`);
- anyone, a statement of a consenting speaker whose session is closed (`/statements/{name}`,
  linked from the public statements page). Anything else is 404, as a file that does not exist.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from moderator.core.errors import N_, Refused
from moderator.core.state import SessionState, Speaker
from moderator.core.view import public_name
from moderator.store.protocol import Principal, Statement, StoreUnavailable
from moderator.web import urls
from moderator.web.auth import principal, unauthorised
from moderator.web.screens import current_session
from moderator.web.services import Services, services

PDF_MAGIC = b"%PDF-"
WRITE_BYTES = 1024 * 1024
SAFE_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
# The one name every statement is downloaded under: it tells nothing of whose it is.
DOWNLOAD_NAME = "statement.pdf"


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{max(1, n // 1024)} KB"


def too_large(limit: int) -> Refused:
    return Refused("too_large", N_("The statement is larger than the limit of %(size)s."), size=_size(limit))


def not_a_pdf() -> Refused:
    return Refused(
        "unsupported_media_type",
        N_("A written statement must be a PDF file: this file does not start as a PDF does."),
    )


def new_name() -> str:
    """A file name for a statement: random, so it names no one."""
    return f"{secrets.token_urlsafe(18)}.pdf"


def safe_name(name: str) -> bool:
    stem, dot, ext = name.rpartition(".")
    return dot == "." and ext == "pdf" and 10 <= len(stem) <= 64 and set(stem) <= SAFE_NAME_CHARS


async def receive(chunks: AsyncIterator[bytes], folder: Path, limit: int) -> tuple[Path, int]:
    """Write the body to a temporary file in `folder`; Refused for too large, empty or not a PDF.
    On any failure the temporary file is removed."""
    temp = folder / f".statement-{secrets.token_hex(8)}.part"
    size = 0
    head = b""
    out = await anyio.open_file(temp, "xb")
    try:
        async with out:
            async for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                if len(head) < len(PDF_MAGIC):
                    head += chunk[: len(PDF_MAGIC) - len(head)]
                    if len(head) == len(PDF_MAGIC) and head != PDF_MAGIC:
                        raise not_a_pdf()
                await out.write(chunk)
            if size == 0:
                raise Refused("invalid", N_("The body is empty: send the PDF file itself."))
            if head != PDF_MAGIC:
                raise not_a_pdf()
            await out.flush()
            await anyio.to_thread.run_sync(os.fsync, out.wrapped.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, size


async def _speaker_state(app: Services, speaker_id: str) -> tuple[SessionState, Speaker] | None:
    # The engine's: it knows the speakers added live (speaker.add, a PUT), which have no agenda row.
    session_id = await app.engine.session_of_speaker(speaker_id)
    state = app.engine.state(session_id) if session_id is not None else None
    speaker = state.speaker(speaker_id) if state is not None else None
    return (state, speaker) if state is not None and speaker is not None else None


def _may_attach(who: Principal, series_id: str) -> bool:
    return who.role == "admin" or (who.role == "moderator" and who.series_id == series_id)


async def upload(request: Request) -> Response:
    """PUT /api/speakers/{speaker_id}/statement: the PDF itself as the body."""
    who = await principal(request)
    if who is None:
        return unauthorised(request)
    app = services(request)
    speaker_id = request.path_params["speaker_id"]
    found = await _speaker_state(app, speaker_id)
    if found is None:
        if who.role not in ("admin", "moderator"):
            raise Refused("forbidden", N_("Only the admin or this series' moderator may attach statements."))
        raise Refused("not_found", N_("There is no speaker '%(id)s'."), id=speaker_id)
    state, speaker = found
    if not _may_attach(who, state.setup.series_id):
        raise Refused("forbidden", N_("Only the admin or this series' moderator may attach statements."))
    limit = app.settings.max_statement_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    folder = app.settings.media
    await anyio.to_thread.run_sync(lambda: folder.mkdir(parents=True, exist_ok=True))
    try:
        temp, size = await receive(request.stream(), folder, limit)
    except ClientDisconnect:
        return Response(status_code=400)
    name = new_name()
    final = folder / name
    try:
        await anyio.to_thread.run_sync(os.replace, temp, final)
        previous = await app.store.statement(speaker_id)
        await app.store.save_statement(Statement(speaker_id, name, size))
    except StoreUnavailable as e:
        final.unlink(missing_ok=True)
        message = N_("The server could not save this change, so nothing changed. Try again in a moment.")
        raise Refused("unavailable", message) from e
    except BaseException:
        temp.unlink(missing_ok=True)
        final.unlink(missing_ok=True)
        raise
    if previous is not None and previous.path != name:
        (folder / previous.path).unlink(missing_ok=True)
    # The public link is not given: it works only once the session is closed, and only with consent.
    return JSONResponse({"speaker_id": speaker_id, "size": size, "publish": speaker.publish}, status_code=201)


def _pdf(app: Services, statement: Statement) -> Response:
    path = app.settings.media / statement.path
    return FileResponse(
        path,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{DOWNLOAD_NAME}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _gone() -> Refused:
    return Refused("not_found", N_("There is no such statement."))


async def public_file(request: Request) -> Response:
    """GET /statements/{name}: a consenting speaker's statement, once their session is closed."""
    name = request.path_params["name"]
    app = services(request)
    statement = await app.store.statement_named(name) if safe_name(name) else None
    found = await _speaker_state(app, statement.speaker_id) if statement is not None else None
    if statement is None or found is None:
        raise _gone()
    state, speaker = found
    if not (speaker.publish and state.phase == "closed"):
        raise _gone()
    if not await anyio.to_thread.run_sync((app.settings.media / statement.path).is_file):
        raise _gone()
    return _pdf(app, statement)


async def _mission(request: Request) -> Principal | None:
    token = request.path_params["token"]
    if not isinstance(token, str) or not 8 <= len(token) <= 128:
        return None
    who = await services(request).store.principal(token)
    return who if who is not None and who.role == "delegation" and who.series_id else None


def followed_session(app: Services, series_id: str) -> SessionState | None:
    """The session a mission's phone follows now (PROTOCOL §5; screens.current_session)."""
    return current_session(app.engine, series_id, time.time_ns() // 1_000_000)


async def mission_list(request: Request) -> Response:
    """GET /join/{token}/statements: the statements a mission may open now, for its phone."""
    who = await _mission(request)
    if who is None or who.series_id is None:
        raise Refused(
            "not_found", N_("This join link is not valid. Ask the secretariat for your mission's card.")
        )
    app = services(request)
    state = followed_session(app, who.series_id)
    items: list[dict[str, Any]] = []
    if state is not None and state.phase != "closed":
        token = request.path_params["token"]
        for n, s in enumerate(state.speakers, start=1):
            if await app.store.statement(s.id) is not None:
                # As every public screen names them (core/view.py): a speaker who did not
                # consent shows only a public name given, else nothing but their place.
                items.append(
                    {
                        "speaker_id": s.id,
                        "position": n,
                        "name": public_name(s),
                        "organisation": s.organisation if s.publish else "",
                        "url": urls.join_statement(token, s.id),
                    }
                )
    body = {"session_id": None if state is None else state.setup.session_id, "statements": items}
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


async def mission_file(request: Request) -> Response:
    """GET /join/{token}/statements/{speaker_id}: while the phone's session is not closed."""
    who = await _mission(request)
    if who is None or who.series_id is None:
        raise _gone()
    app = services(request)
    speaker_id = request.path_params["speaker_id"]
    found = await _speaker_state(app, speaker_id)
    statement = await app.store.statement(speaker_id) if found is not None else None
    if found is None or statement is None or found[0].setup.series_id != who.series_id:
        raise _gone()
    state = found[0]
    followed = followed_session(app, who.series_id)
    if state.phase == "closed" or followed is None or followed.setup.session_id != state.setup.session_id:
        raise Refused(
            "not_found",
            N_("This statement can be read from your phone only during its session."),
        )
    return _pdf(app, statement)


def routes() -> list[Route]:
    return [
        Route(urls.STATEMENT_API, upload, methods=["PUT"]),
        Route(urls.STATEMENT_FILE, public_file, methods=["GET", "HEAD"]),
        Route(urls.JOIN_STATEMENTS, mission_list, methods=["GET"]),
        Route(urls.JOIN_STATEMENT, mission_file, methods=["GET", "HEAD"]),
    ]

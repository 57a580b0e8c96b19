"""Pre-recorded statements: upload, serving with HTTP Range, and attaching files at import.

`PUT /api/speakers/{speaker_id}/video` (the admin token, or the moderator token of the speaker's
series) streams the body to a temporary file in the media folder (never whole in memory), checks
its type, size and first bytes, checks with FFmpeg's demuxers (PyAV) that its video is one a
current browser plays (H.264 in MP4 or QuickTime, VP8, VP9 or AV1 in WebM), reads its length
(null only when the file does not tell, and then the moderator's console may report it),
renames it into place, records it and tells every screen through the `video.attach` command.
A QuickTime file (.mov) is an ISO media file like MP4: it is stored and served as MP4.
`GET /media/{name}` serves the files with Range support, so browsers seek and start fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import secrets
import weakref
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from moderator.core.commands import HOUR_MS, Actor, Command
from moderator.core.errors import N_, Refused, fill
from moderator.core.rules import video_public
from moderator.runtime.engine import Engine
from moderator.settings import Settings
from moderator.store.protocol import Store, StoreUnavailable, Video
from moderator.web import urls
from moderator.web.auth import principal, unauthorised
from moderator.web.errors import error
from moderator.web.services import services

log = logging.getLogger("moderator.web.media")

SYSTEM = Actor("system")
KINDS = {"video/mp4": ".mp4", "video/quicktime": ".mp4", "video/webm": ".webm"}
LABELS = {"video/mp4": "MP4", "video/quicktime": "QuickTime", "video/webm": "WebM"}
SUFFIXES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm"}
# The video codecs a current browser plays in each container (FFmpeg's codec names).
CODECS = {
    "video/mp4": frozenset({"h264", "av1"}),
    "video/quicktime": frozenset({"h264"}),
    "video/webm": frozenset({"vp8", "vp9", "av1"}),
}
CODEC_NAMES = {"video/mp4": "H.264", "video/quicktime": "H.264", "video/webm": "VP8, VP9 or AV1"}
# QuickTime files made before the `ftyp` box start with one of these atoms.
_QUICKTIME_ATOMS = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}\.(mp4|webm)")
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
SNIFF_BYTES = 12
WRITE_BYTES = 1024 * 1024  # what is held in memory at most before it goes to disk
MAX_DURATION_MS = 4 * HOUR_MS
# A file name never changes content (each upload gets a new one), so browsers may keep it.
CACHE = "public, max-age=31536000, immutable"


class MediaError(Exception):
    """A video that cannot be attached: an HTTP status, a code and a translatable sentence."""

    def __init__(self, status: int, code: str, message: str, **params: Any) -> None:
        super().__init__(code, message)
        self.status = status
        self.code = code
        self.message = message
        self.params = params

    def english(self) -> str:
        """The sentence in English, placeholders filled."""
        return fill(self.message, self.params)


@dataclass(frozen=True, slots=True)
class Attached:
    """A video now attached to a speaker: the upload's answer."""

    speaker_id: str
    duration_ms: int | None
    url: str

    def wire(self) -> dict[str, Any]:
        return {"speaker_id": self.speaker_id, "duration_ms": self.duration_ms, "url": self.url}


def media_type(header: str | None) -> str | None:
    """`video/mp4`, `video/quicktime` or `video/webm` from a Content-Type header (parameters ignored),
    else None."""
    if header is None:
        return None
    kind = header.split(";", 1)[0].strip().lower()
    return kind if kind in KINDS else None


def sniff(head: bytes) -> str | None:
    """What the first bytes say the file is: an MP4 `ftyp` box, a WebM EBML header, or neither."""
    if len(head) >= 8 and head[4:8] == b"ftyp":
        return "video/mp4"
    if head[:4] == EBML_MAGIC:
        return "video/webm"
    return None


def video_codecs(path: Path) -> set[str] | None:
    """The codec names of the file's video streams (PyAV); None when FFmpeg cannot read the file."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            return {stream.codec_context.name for stream in container.streams.video}
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError):
        return None


def check_codec(path: Path, content_type: str) -> None:
    """Refuse (415, with the reason) a file FFmpeg cannot read, one with no video, or one whose video
    a browser would not play in that container."""
    codecs = video_codecs(path)
    label = LABELS[content_type]
    if codecs is None:
        raise MediaError(
            415,
            "unsupported_media_type",
            N_("This %(kind)s file cannot be read as a video: it may be damaged or only partly copied."),
            kind=label,
        )
    if not codecs:
        raise MediaError(415, "unsupported_media_type", N_("This %(kind)s file holds no video."), kind=label)
    if not codecs & CODECS[content_type]:
        raise MediaError(
            415,
            "unsupported_media_type",
            N_(
                "This %(kind)s file holds %(codec)s video, which browsers do not play: "
                "export it again as %(kind)s with %(wanted)s video."
            ),
            kind=label,
            codec=", ".join(sorted(codecs)),
            wanted=CODEC_NAMES[content_type],
        )


def read_duration(path: Path) -> int | None:
    """The length in ms, read from the file by FFmpeg's demuxers (PyAV); None when it cannot be read.

    In order: the container's duration (MP4's `mvhd`, WebM's `Duration`), the streams' own, and
    for a file that states none (a WebM recorded by a browser's MediaRecorder) the end of its
    last packet, read through the file without decoding it.
    """
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if container.duration is not None and container.duration > 0:
                return _ms(container.duration / av.time_base)
            heads = [
                float(st.duration * st.time_base)
                for st in container.streams
                if st.duration is not None and st.time_base is not None and st.duration > 0
            ]
            if heads:
                return _ms(max(heads))
            first: float | None = None
            last = 0.0
            for packet in container.demux():
                if packet.pts is None or packet.time_base is None:
                    continue
                start = float(packet.pts * packet.time_base)
                first = start if first is None else min(first, start)
                last = max(last, float((packet.pts + (packet.duration or 0)) * packet.time_base))
            return None if first is None else _ms(last - first)
    except (av.FFmpegError, OSError, ValueError, OverflowError, ZeroDivisionError):
        return None


def _ms(seconds: float) -> int | None:
    ms = round(seconds * 1000)
    return ms if ms > 0 else None


def too_large(limit: int) -> MediaError:
    return MediaError(
        413, "too_large", N_("The video is larger than the limit of %(size)s."), size=_size(limit)
    )


def _size(n: int) -> str:
    """A byte count for people: 1024 MB, 64 KB."""
    return f"{n // 2**20} MB" if n >= 2**20 else f"{max(1, n // 1024)} KB"


# ---- taking a file in ---------------------------------------------------------------------------

_speaker_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


def _lock(speaker_id: str) -> asyncio.Lock:
    lock = _speaker_locks.get(speaker_id)
    if lock is None:
        lock = asyncio.Lock()
        _speaker_locks[speaker_id] = lock
    return lock


async def _receive(
    chunks: AsyncIterator[bytes], folder: Path, content_type: str, limit: int
) -> tuple[Path, int]:
    """Write `chunks` to a temporary file in `folder`; return it and its size, or raise MediaError.

    The type is checked from the first bytes as soon as they arrive, the size on every chunk;
    on any failure the temporary file is removed.
    """
    temp = folder / f".upload-{secrets.token_hex(8)}.part"
    size = 0
    head = b""
    pending = bytearray()
    out = await anyio.open_file(temp, "xb")
    try:
        async with out:
            async for chunk in chunks:
                if not chunk:
                    continue
                size += len(chunk)
                if size > limit:
                    raise too_large(limit)
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                    if len(head) >= SNIFF_BYTES:
                        _check_kind(head, content_type)
                pending += chunk
                if len(pending) >= WRITE_BYTES:
                    await out.write(bytes(pending))
                    pending.clear()
            if size == 0:
                raise MediaError(422, "invalid", N_("The body is empty: send the video file itself."))
            _check_kind(head, content_type)
            await out.write(bytes(pending))
            await out.flush()
            await anyio.to_thread.run_sync(os.fsync, out.wrapped.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, size


def _check_kind(head: bytes, content_type: str) -> None:
    if content_type == "video/quicktime":
        if head[4:8] in _QUICKTIME_ATOMS:
            return
    elif sniff(head) == content_type:
        return
    raise MediaError(
        415,
        "unsupported_media_type",
        N_("This is not a valid %(kind)s video: its first bytes are not those of such a file."),
        kind=LABELS[content_type],
    )


async def ingest(
    store: Store,
    engine: Engine,
    settings: Settings,
    speaker_id: str,
    chunks: AsyncIterator[bytes],
    content_type: str,
) -> Attached:
    """Take a video in for a speaker: store the file, record it, tell every screen (`video.attach`)."""
    session_id = await engine.session_of_speaker(speaker_id)
    if session_id is None:
        raise MediaError(404, "not_found", N_("There is no speaker '%(id)s'."), id=speaker_id)
    _open_session(engine, session_id)
    folder = settings.media
    await anyio.to_thread.run_sync(lambda: folder.mkdir(parents=True, exist_ok=True))
    temp, size = await _receive(chunks, folder, content_type, settings.max_video_bytes)
    try:
        await anyio.to_thread.run_sync(check_codec, temp, content_type)
        duration = await anyio.to_thread.run_sync(read_duration, temp)
        if duration is not None and duration > MAX_DURATION_MS:
            raise MediaError(
                422,
                "invalid",
                N_("The video is longer than %(hours)s hours."),
                hours=MAX_DURATION_MS // HOUR_MS,
            )
        name = f"{speaker_id}-{secrets.token_urlsafe(6)}{KINDS[content_type]}"
        final = folder / name
        await anyio.to_thread.run_sync(os.replace, temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    try:
        async with _lock(speaker_id):
            previous = await store.video(speaker_id)
            video = Video(speaker_id, name, content_type, size, duration)
            attached = await _record(store, engine, session_id, video, previous)
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    if previous is not None and previous.path != name:
        with contextlib.suppress(OSError):
            (folder / previous.path).unlink(missing_ok=True)
    return attached


def _open_session(engine: Engine, session_id: str) -> None:
    state = engine.state(session_id)
    if state is not None and state.phase == "closed":
        raise MediaError(
            409, "conflict", N_("This session is closed: no video can be attached to it any more.")
        )


async def _record(
    store: Store, engine: Engine, session_id: str, video: Video, previous: Video | None
) -> Attached:
    url = urls.media(video.path)
    args: dict[str, Any] = {"speaker_id": video.speaker_id, "url": url}
    if video.duration_ms is not None:
        args["duration_ms"] = video.duration_ms
    try:
        await store.save_video(video)
    except StoreUnavailable as e:
        log.error("could not record the video of speaker %s: %s", video.speaker_id, e)
        raise _unavailable() from e
    try:
        await engine.execute(session_id, Command("video.attach", args), SYSTEM)
    except Refused as e:
        with contextlib.suppress(StoreUnavailable):  # the file goes; keep the row pointing at the old one
            if previous is not None:
                await store.save_video(previous)
        status = {"not_found": 404, "conflict": 409, "unavailable": 503, "internal": 503}.get(e.code, 422)
        raise MediaError(status, e.code, e.message, **e.params) from e
    return Attached(video.speaker_id, video.duration_ms, url)


def _unavailable() -> MediaError:
    return MediaError(
        503,
        "unavailable",
        N_("The server could not save this change, so nothing changed. Try again in a moment."),
    )


async def _file_chunks(path: Path) -> AsyncGenerator[bytes, None]:
    async with await anyio.open_file(path, "rb") as f:
        while chunk := await f.read(WRITE_BYTES):
            yield chunk


async def attach_file(
    store: Store, engine: Engine, settings: Settings, speaker_id: str, path: Path
) -> Attached:
    """Attach a video file from disk (`moderator import`); the same checks as an upload."""
    content_type = SUFFIXES.get(path.suffix.lower())
    if content_type is None:
        raise MediaError(
            415, "unsupported_media_type", N_("Only .mp4, .mov and .webm files can be attached.")
        )
    try:
        size = (await anyio.to_thread.run_sync(path.stat)).st_size
    except OSError as e:
        raise _unreadable(e) from e
    if size > settings.max_video_bytes:
        raise too_large(settings.max_video_bytes)
    try:
        async with contextlib.aclosing(_file_chunks(path)) as chunks:
            return await ingest(store, engine, settings, speaker_id, chunks, content_type)
    except OSError as e:
        raise _unreadable(e) from e


def _unreadable(e: OSError) -> MediaError:
    return MediaError(
        422, "unreadable", N_("The file cannot be read (%(reason)s)."), reason=e.strerror or type(e).__name__
    )


# ---- HTTP ---------------------------------------------------------------------------------------


async def upload(request: Request) -> Response:
    """PUT /api/speakers/{speaker_id}/video: the raw file as the body."""
    who = await principal(request)
    if who is None:
        return unauthorised(request)
    if who.role not in ("admin", "moderator"):
        message = N_("Only the admin token or the series' moderator token may attach videos.")
        return error(request, 403, "forbidden", message)
    app = services(request)
    speaker_id = request.path_params["speaker_id"]
    try:
        session_id = await app.engine.session_of_speaker(speaker_id)
        if session_id is None:
            raise MediaError(404, "not_found", N_("There is no speaker '%(id)s'."), id=speaker_id)
        state = app.engine.state(session_id)
        if who.role == "moderator" and (state is None or state.setup.series_id != who.series_id):
            message = N_("Only the admin token or the series' moderator token may attach videos.")
            raise MediaError(403, "forbidden", message)
        content_type = media_type(request.headers.get("content-type"))
        if content_type is None:
            raise MediaError(
                415,
                "unsupported_media_type",
                N_("Send the video as 'Content-Type: video/mp4', 'video/webm' or 'video/quicktime'."),
            )
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > app.settings.max_video_bytes:
            raise too_large(app.settings.max_video_bytes)
        attached = await ingest(
            app.store, app.engine, app.settings, speaker_id, request.stream(), content_type
        )
    except MediaError as e:
        return error(request, e.status, e.code, e.message, **e.params)
    except ClientDisconnect:
        log.info("upload for speaker %s abandoned by the client; nothing kept", speaker_id)
        return Response(status_code=400)
    return JSONResponse(attached.wire(), status_code=201, headers={"Location": attached.url})


async def serve(request: Request) -> Response:
    """GET /media/{name}: a stored video, with HTTP Range (206 partial content) for seeking."""
    name = request.path_params["name"]
    match = SAFE_NAME.fullmatch(name)
    folder: Path = services(request).settings.media
    path = folder / name
    if match is None or _withheld(services(request).engine, name):
        raise Refused("not_found", N_("There is no such video."))
    if not await anyio.to_thread.run_sync(path.is_file):
        raise Refused("not_found", N_("There is no such video."))
    media = "video/mp4" if match.group(1) == "mp4" else "video/webm"
    return FileResponse(path, media_type=media, headers={"Cache-Control": CACHE})


def _withheld(engine: Engine, name: str) -> bool:
    """A video of a closed session whose speaker did not consent to publication (rules.video_public)."""
    url = urls.media(name)
    return any(
        s.video_url == url and not video_public(state, s) for state in engine.states() for s in state.speakers
    )


def routes() -> list[Route]:
    return [
        Route("/api/speakers/{speaker_id}/video", upload, methods=["PUT"]),
        Route(urls.MEDIA, serve, methods=["GET", "HEAD"]),
    ]

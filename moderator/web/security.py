"""HTTP hardening that applies to every response.

`SecurityHeaders` wraps the whole application (outside Starlette's error handler, so a 500
has them too): every response says `X-Content-Type-Options: nosniff` and may not be framed
by another site (`X-Frame-Options` and CSP `frame-ancestors`). A response that already says
`X-Frame-Options: SAMEORIGIN` (the public screens) may be framed by this server's own pages;
every other one by nobody.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_security_headers(headers: MutableHeaders) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    frames = headers.setdefault("X-Frame-Options", "DENY")
    ancestors = "frame-ancestors 'self'" if frames.upper() == "SAMEORIGIN" else "frame-ancestors 'none'"
    policy = headers.get("Content-Security-Policy")
    if policy is None:
        headers["Content-Security-Policy"] = ancestors
    elif "frame-ancestors" not in policy:
        headers["Content-Security-Policy"] = f"{policy}; {ancestors}"

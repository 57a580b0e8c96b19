"""The address printed links, join cards and QR codes use: the public URL, else the server's real address.

`moderator serve --public-url https://presessions.example.org` (or `MODERATOR_PUBLIC_URL`) names
the address phones reach the server by (a reverse proxy's, say). Without it, the server names the
host and port it is bound to; for 0.0.0.0 (or ::) the machine's outward address, else its host
name: never `0.0.0.0`, never a path with no host, and never a request's `Host` header (a client
chooses that one).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

_ANY = ("", "0.0.0.0", "::", "[::]")


class BadPublicUrl(ValueError):
    """The public URL is not an http(s) address with a host (no query, no fragment)."""


def public_url(value: str) -> str:
    """`value` checked and without its trailing slash; `BadPublicUrl` if it is not a usable address."""
    text = value.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError as e:
        raise BadPublicUrl(text) from e
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise BadPublicUrl(text)
    if parts.username or parts.password:
        raise BadPublicUrl(text)
    return text.rstrip("/")


def outward_address() -> str:
    """The address this machine uses towards other networks, else its host name.

    A UDP socket's connect() only picks a route: no packet is sent (the targets are documentation
    addresses, RFC 5737 and RFC 3849)."""
    for family, target in ((socket.AF_INET, ("192.0.2.1", 9)), (socket.AF_INET6, ("2001:db8::1", 9))):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect(target)
                address = str(s.getsockname()[0])
        except OSError:
            continue
        if address not in _ANY and not address.startswith("127.") and address != "::1":
            return address
    return socket.gethostname() or "localhost"


def server_base(host: str, port: int, scheme: str = "http") -> str:
    """The base URL of a server bound to `host`:`port` (an address of this machine, never 0.0.0.0)."""
    if host in _ANY:
        host = outward_address()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    default = (scheme == "http" and port == 80) or (scheme == "https" and port == 443)
    return f"{scheme}://{host}" if default else f"{scheme}://{host}:{port}"

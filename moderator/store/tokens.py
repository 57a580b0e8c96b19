"""Secrets: random tokens from `secrets`, stored only as hashes, compared in constant time.

A mission's token is derived from its series' moderator token (HMAC), so whoever holds the
moderator token can print the missions' join cards again although no token is stored in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def delegation_token(moderator_token: str, series_id: str, state: str) -> str:
    digest = hmac.new(
        moderator_token.encode(), f"delegation:{series_id}:{state}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def new_id() -> str:
    """A short random id for series, sessions and speakers (URL-safe, 12 characters)."""
    return secrets.token_urlsafe(9)

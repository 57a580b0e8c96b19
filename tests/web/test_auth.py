"""web/auth.py: the bearer token of a request."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from moderator.web.auth import bearer


def _request(authorization: str | None) -> Request:
    headers = [] if authorization is None else [(b"authorization", authorization.encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (None, None),
        ("", None),
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Bearer ", None),
        ("Basic abc", None),
        ("abc", None),
    ],
)
def test_the_bearer_token(header: str | None, token: str | None):
    assert bearer(_request(header)) == token

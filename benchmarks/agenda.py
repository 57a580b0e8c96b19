"""Agenda documents (PROTOCOL §2) for the benchmarks: one session, or a full week of fourteen."""

from __future__ import annotations

from typing import Any

from moderator.i18n.countries import un_member_codes

# States under Review of one real Pre-session week (fourteen sessions, several a morning).
WEEK = ["SA", "SN", "CN", "NG", "MU", "MX", "JO", "MY", "CF", "MC", "BZ", "TD", "MT", "CL"]
LANGUAGES = ["en", "fr", "es"]
KINDS = ["cso", "nhri", "coalition"]


def speakers(count: int = 6) -> list[dict[str, Any]]:
    """`count` speakers of a session, each with a realistic name, theme and time."""
    return [
        {
            "key": f"s{i + 1}",
            "name": f"Speaker {i + 1} with a fairly long full name",
            "organisation": f"Civil society organisation number {i + 1} for human rights",
            "kind": KINDS[i % 3],
            "theme": f"Theme {i + 1}: rights of migrants and freedom of expression",
            "language": LANGUAGES[i % 3],
            "seconds": 300 + 60 * (i % 3),
            "public_name": "A human rights defender" if i == 2 else None,
            "publish": True,
        }
        for i in range(count)
    ]


def series(states_under_review: list[str], title: str = "Benchmark series") -> dict[str, Any]:
    """A series with one session per State under Review, six speakers each, all UN Members as delegations."""
    return {
        "title": title,
        "format": "in_person",
        "venue": "Palais des Nations, Geneva",
        "timezone": "Europe/Zurich",
        "sessions": [
            {
                "key": code,
                "state_under_review": code,
                "start": f"2030-01-{14 + i // 3:02d}T{10 + i % 3:02d}:00:00+01:00",
                "minutes": 60,
                "question_seconds": 120,
                "speakers": speakers(),
            }
            for i, code in enumerate(states_under_review)
        ],
        "delegations": [{"state": code} for code in un_member_codes()],
    }


def one_session(state_under_review: str = "DE") -> dict[str, Any]:
    return series([state_under_review], title="Benchmark session")


def week() -> dict[str, Any]:
    return series(WEEK, title="Benchmark week")

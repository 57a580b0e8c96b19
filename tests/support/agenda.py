"""Agenda documents for tests."""

from __future__ import annotations

import copy
from typing import Any

SPEAKERS = [
    (
        "a1",
        "Anna Petrosyan",
        "Helsinki Citizens' Assembly",
        "cso",
        "Freedom of expression",
        "en",
        420,
        "A journalist",
    ),
    ("a2", "Office of the Defender", "Human Rights Defender", "nhri", "Detention", "fr", 360, None),
    ("a3", "Maria Lopez", "Coalición Andina", "coalition", "Indigenous peoples", "es", 300, None),
    ("a4", "John Smith", "Disability Rights Now", "cso", "Persons with disabilities", "en", 360, None),
    ("a5", "Amina Diallo", "Women's Voices", "cso", "Women's rights", "fr", 360, None),
    ("a6", "Lea Berg", "Climate Justice Network", "coalition", "Climate displacement", "en", 300, None),
]

AGENDA: dict[str, Any] = {
    "title": "Test series",
    "format": "in_person",
    "venue": "Palais des Nations, Geneva",
    "timezone": "Europe/Zurich",
    "sessions": [
        {
            "key": "AM",
            "state_under_review": "AM",
            "start": "2030-12-10T10:00:00+01:00",
            "minutes": 60,
            "question_seconds": 120,
            "speakers": [
                {
                    "key": k,
                    "name": n,
                    "organisation": o,
                    "kind": kind,
                    "theme": t,
                    "language": lang,
                    "seconds": sec,
                    "public_name": pub,
                    "publish": True,
                }
                for k, n, o, kind, t, lang, sec, pub in SPEAKERS
            ],
        },
        {
            "key": "SE",
            "state_under_review": "SE",
            "start": "2030-12-10T11:30:00+01:00",
            "speakers": [],
            "warning_seconds": 45,
            "answer_seconds": 90,
        },
    ],
    "delegations": [{"state": c} for c in ["AM", "SE", "GY", "KI", "FR", "BR", "KE", "JP"]],
}


def agenda(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(AGENDA)
    doc.update(changes)
    return doc

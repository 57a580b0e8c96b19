"""Preset messages: the event carries the preset's id, so each screen shows it in its language."""

from __future__ import annotations

import pytest

from moderator.core.errors import Refused
from moderator.core.presets import PRESETS
from moderator.core.view import view
from tests.support.core import Run, session


def test_a_preset_message_keeps_its_id_for_every_screen():
    run = Run(session(3))
    run.do("message.show", text="Veuillez conclure.", to="speaker", preset="conclude")
    assert run.log[-1]["preset"] == "conclude"
    for role in ("moderator", "viewer", "delegation"):
        assert view(run.state, role, run.now)["message"]["preset"] == "conclude"


def test_an_unknown_preset_is_refused_with_the_list():
    run = Run(session(3))
    with pytest.raises(Refused) as e:
        run.do("message.show", text="x", to="speaker", preset="hurry")
    assert e.value.code == "invalid" and all(p in e.value.english() for p in PRESETS)
    assert run.state.message is None


def test_the_three_presets_of_the_issue():
    assert list(PRESETS) == ["conclude", "one_minute", "slower"]

"""The command and event registries: each command declared once with its roles, args and handler;
every event type a command emits has an apply function; unknown names are refused cleanly."""

import pytest

from moderator.core.commands import MOD, Actor, Command, Registry
from moderator.core.decide import COMMANDS, FOLLOW_UPS, authorise, decide, known
from moderator.core.errors import Refused
from moderator.core.evolve import APPLY, applies
from tests.support.core import session

# The commands of the contract (docs/protocol.md §3.3); a new one is added here and to the contract.
CONTRACT = {
    "session.open", "session.statements", "session.qa", "session.close",
    "speaker.call", "speaker.finish", "speaker.skip",
    "timer.start", "timer.pause", "timer.adjust", "timer.reset",
    "queue.request", "queue.withdraw", "queue.call", "queue.done", "queue.remove", "queue.move",
    "message.show", "message.clear",
    "playback.play", "playback.pause", "playback.seek", "playback.skip", "playback.stop",
    "playback.advance", "video.duration", "video.attach",
    "speaker.add", "speaker.update", "speaker.move", "speaker.remove", "session.update",
    "agenda.update", "sur.call", "undo",
}  # fmt: skip


def test_the_registry_holds_the_commands_of_the_contract():
    assert set(COMMANDS.names()) == CONTRACT
    assert len(COMMANDS) == len(CONTRACT)


@pytest.mark.parametrize("spec", list(COMMANDS), ids=lambda s: s.name)
def test_every_command_has_roles_a_schema_a_handler_and_its_events(spec):
    """Roles from the contract's four, checks that are callables, a handler, declared events."""
    assert spec.roles and spec.roles <= {"moderator", "delegation", "viewer", "system"}
    assert not set(spec.required) & set(spec.optional)
    assert all(callable(c) for c in (*spec.required.values(), *spec.optional.values()))
    assert callable(spec.handler)
    assert spec.emits, spec.name


def test_every_event_type_a_command_can_emit_has_an_apply_function():
    """What the handlers declare, and what decide adds after them, evolve knows how to fold."""
    emitted = set(FOLLOW_UPS).union(*(spec.emits for spec in COMMANDS))
    assert emitted - set(APPLY) == set()


def test_every_apply_function_is_for_an_event_some_command_emits():
    """No dead apply functions: each event type evolve knows comes from some command."""
    emitted = set(FOLLOW_UPS).union(*(spec.emits for spec in COMMANDS))
    assert set(APPLY) - emitted == set()


@pytest.mark.parametrize("name", ["timer.explode", "", "SESSION.OPEN", "session.open "])
def test_an_unknown_command_is_refused_cleanly(name):
    """bad_message with the sentence the live socket sends for it, not a KeyError; nothing changes."""
    state = session()
    assert not known(name)
    for refuse in (
        lambda: decide(state, Command(name), Actor("moderator"), 1),
        lambda: authorise(Command(name), Actor("viewer")),
    ):
        with pytest.raises(Refused) as e:
            refuse()
        assert e.value.code == "bad_message"
        assert e.value.english() == "Unknown command: see the list in docs/protocol.md."


def test_a_command_or_an_event_type_cannot_be_declared_twice():
    registry = Registry()

    @registry.command("x.do", MOD, emits=("x.done",))
    def handler(state, args, actor, now):
        return []

    with pytest.raises(ValueError, match="twice"):
        registry.command("x.do", MOD, emits=("x.done",))(handler)
    with pytest.raises(ValueError, match="no role"):
        registry.command("x.other", frozenset(), emits=("x.done",))(handler)
    with pytest.raises(ValueError, match="twice"):
        applies("timer.started")(lambda state, e, at: state)
    assert "x.do" in registry and "x.other" not in registry

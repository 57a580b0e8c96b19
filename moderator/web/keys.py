"""The console's keys, declared once: the template puts each on its button (`<kbd>` and
`aria-keyshortcuts`) and lists them in the help overlay (`?`); the page config gives them to
static/js/screens/console.js, which binds each action to its key. No key is typed anywhere else.

Keys are matched on `event.key` (the character the moderator's keyboard types, so the letter on
the button is the letter on the keycap, on AZERTY and Spanish keyboards too), lower-cased;
digits also on `event.code` (Digit1, Numpad1), because an AZERTY keyboard types "&" for 1
without Shift. Ctrl, Alt and Meta combinations are left to the browser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from moderator.core.errors import N_
from moderator.core.presets import PRESETS


@dataclass(frozen=True, slots=True)
class Key:
    action: str  # what console.js does with it
    key: str  # event.key, lower-cased ("f", " ", "+")
    label: str  # what the button shows: a letter, or a msgid ("Space")
    help: str  # msgid: what the key does, in the help overlay
    group: str  # msgid: the help overlay's heading
    also: tuple[str, ...] = ()  # other event.key values for the same action
    codes: tuple[str, ...] = ()  # event.code values for the same action
    translated: bool = False  # whether `label` is a msgid (Space, Del, Esc) or the keycap itself


FLOOR = N_("The floor")
QUEUE = N_("Speakers and queue")
SESSION = N_("Session")
MESSAGES = N_("Messages")
VIDEO = N_("Video")
KEYBOARD = N_("Keyboard")

_PRESET_HELP = {
    "conclude": N_("Show “Please conclude” to the speaker"),
    "one_minute": N_("Show “One minute left” to the speaker"),
    "slower": N_("Ask the speaker to speak more slowly for the interpreters"),
}

KEYS: tuple[Key, ...] = (
    Key(
        "timer.toggle",
        " ",
        N_("Space"),
        N_("Start or pause the timer; in a virtual session, pause or resume the video"),
        FLOOR,
        translated=True,
    ),
    Key("timer.minus", "-", "−", N_("Take a minute off"), FLOOR, also=("−", "_")),
    Key("timer.plus", "+", "+", N_("Add a minute"), FLOOR, also=("=",)),
    Key("timer.reset", "r", "R", N_("Reset the timer"), FLOOR),
    Key("floor.finish", "f", "F", N_("Finish the turn on the floor"), FLOOR),
    Key("undo", "u", "U", N_("Undo the last Finish, Done, Remove or Skip"), FLOOR),
    Key("speaker.next", "n", "N", N_("Call the next speaker; in a virtual session, play their video"), QUEUE),
    Key("speaker.skip", "k", "K", N_("Skip the next waiting speaker"), QUEUE),
    Key("queue.next", "q", "Q", N_("Call the next question"), QUEUE),
    Key(
        "queue.remove",
        "delete",
        N_("Del"),
        N_("Remove the first waiting State from the queue"),
        QUEUE,
        also=("backspace",),
        translated=True,
    ),
    Key("session.open", "o", "O", N_("Open the session"), SESSION),
    Key("session.statements", "s", "S", N_("Start the statements"), SESSION),
    Key("session.qa", "a", "A", N_("Start the questions and answers"), SESSION),
    Key("session.close", "x", "X", N_("Close the session (asks first)"), SESSION),
    Key("message.write", "m", "M", N_("Write a message"), MESSAGES),
    *(
        Key(f"preset.{pid}", str(n), str(n), _PRESET_HELP[pid], MESSAGES, codes=(f"Digit{n}", f"Numpad{n}"))
        for n, pid in enumerate(PRESETS, start=1)
    ),
    Key("message.clear", "c", "C", N_("Clear the message"), MESSAGES),
    Key("video.back", "j", "J", N_("Back 10 seconds in the video"), VIDEO),
    Key("video.forward", "l", "L", N_("Forward 10 seconds in the video"), VIDEO),
    Key("screens", "d", "D", N_("Show the screens connected to the series"), KEYBOARD),
    Key("help", "?", "?", N_("Show or hide this list of keys"), KEYBOARD),
    Key(
        "escape",
        "escape",
        N_("Esc"),
        N_("Leave a field or close this list, back to the keys"),
        KEYBOARD,
        translated=True,
    ),
)

BY_ACTION = {k.action: k for k in KEYS}
if len(BY_ACTION) != len(KEYS):
    raise ValueError("an action has two keys")
_taken = [x for k in KEYS for x in (k.key, *k.also)]
if len(set(_taken)) != len(_taken):
    raise ValueError("a key is given to two actions")


def label(key: Key, gettext: Callable[[str], str]) -> str:
    return gettext(key.label) if key.translated else key.label


def shortcut(key: Key) -> str:
    """The key as `aria-keyshortcuts` names it (WAI-ARIA: "Space", "Delete", "F", "Shift+?")."""
    named = {" ": "Space", "delete": "Delete", "escape": "Escape", "?": "Shift+?"}
    return named.get(key.key, key.label if len(key.label) == 1 else key.key)


def page_keys(gettext: Callable[[str], str]) -> list[dict[str, Any]]:
    """The keys as the page config gives them to console.js (`config.keys`)."""
    return [
        {
            "action": k.action,
            "keys": [k.key, *k.also],
            "codes": list(k.codes),
            "label": label(k, gettext),
            "shortcut": shortcut(k),
        }
        for k in KEYS
    ]


def help_groups(gettext: Callable[[str], str]) -> list[dict[str, Any]]:
    """The help overlay's lists: each heading with its keys and what they do, translated."""
    groups: dict[str, list[dict[str, str]]] = {}
    for k in KEYS:
        groups.setdefault(k.group, []).append({"label": label(k, gettext), "help": gettext(k.help)})
    return [{"heading": gettext(g), "entries": keys} for g, keys in groups.items()]

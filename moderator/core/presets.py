"""The moderator's preset messages, defined once: an id and its English sentence (a msgid).

`message.show` may carry a `preset` id; the event keeps it, so each screen shows the sentence
in its own language (the speaker screen in the language of the speaker on the floor). The page
config gives every screen each preset in every language (web/screens.py, `config.presets`).
"""

from __future__ import annotations

from moderator.core.errors import N_

# In the order of their keys on the console (1, 2, 3: web/keys.py).
PRESETS: dict[str, str] = {
    "conclude": N_("Please conclude your statement."),
    "one_minute": N_("One minute left."),
    "slower": N_("Please speak more slowly for the interpreters."),
}


def is_preset(preset_id: object) -> bool:
    return isinstance(preset_id, str) and preset_id in PRESETS

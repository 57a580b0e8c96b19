// Who speaks next, and a moderator's message in a given language: pure (no DOM), for the
// speaker screen and the boards.

import { nextQuestionOf, nextSpeakerOf } from "./rules.js";

/**
 * Who comes after the floor holder: in the questions and answers the first State waiting in
 * the queue ({kind: "question", entry}), before them the first speaker still waiting in the
 * agenda's order ({kind: "speaker", speaker}); null when nobody is waiting.
 */
export function nextUp(session) {
  if (!session || session.phase === "closed" || session.phase === "scheduled") return null;
  if (session.phase === "qa") {
    const entry = nextQuestionOf(session);
    return entry ? { kind: "question", entry } : null;
  }
  const speaker = nextSpeakerOf(session);
  return speaker ? { kind: "speaker", speaker } : null;
}

/**
 * The text of `message` to show in `lang`: a preset (core/presets.py) in that language from
 * `presets` (the page config's, by language then id), else in `fallback`, else as it was sent.
 */
export function messageText(message, presets, lang, fallback) {
  if (!message) return "";
  const id = message.preset;
  if (id && presets) {
    const phrase = (presets[lang] || {})[id] || (presets[fallback] || {})[id];
    if (phrase) return phrase;
  }
  return message.text;
}

// The console's keys (static/js/lib/keys.js) against the server's own list (tests/fixtures/keys.json),
// pressed as QWERTY, French AZERTY and Spanish keyboards type them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { turnOf } from "../../static/js/lib/alerts.js";
import { keyAction, keyLabel } from "../../static/js/lib/keys.js";
import { messageText, nextUp } from "../../static/js/lib/upnext.js";

const keys = JSON.parse(readFileSync(new URL("../fixtures/keys.json", import.meta.url), "utf8")).keys;

test("letters by the character typed, whatever key of the layout types it", () => {
  assert.equal(keyAction(keys, { key: "n", code: "KeyN" }), "speaker.next");
  assert.equal(keyAction(keys, { key: "N", code: "KeyN" }), "speaker.next"); // Shift or Caps Lock
  // AZERTY: A is where QWERTY has Q, and Q where it has A; M is beside L.
  assert.equal(keyAction(keys, { key: "a", code: "KeyQ" }), "session.qa");
  assert.equal(keyAction(keys, { key: "q", code: "KeyA" }), "queue.next");
  assert.equal(keyAction(keys, { key: "m", code: "Semicolon" }), "message.write");
});

test("digits by their key's code too: AZERTY types & é \" without Shift", () => {
  assert.equal(keyAction(keys, { key: "&", code: "Digit1" }), "preset.conclude");
  assert.equal(keyAction(keys, { key: "é", code: "Digit2" }), "preset.one_minute");
  assert.equal(keyAction(keys, { key: '"', code: "Digit3" }), "preset.slower");
  assert.equal(keyAction(keys, { key: "3", code: "Numpad3" }), "preset.slower");
});

test("signs as typed: + and - on every layout, ? with Shift", () => {
  assert.equal(keyAction(keys, { key: "+", code: "BracketRight" }), "timer.plus"); // Spanish: + without Shift
  assert.equal(keyAction(keys, { key: "=", code: "Equal" }), "timer.plus");
  assert.equal(keyAction(keys, { key: "-", code: "Digit6" }), "timer.minus"); // AZERTY
  assert.equal(keyAction(keys, { key: "?", code: "Comma", shiftKey: true }), "help"); // AZERTY
  assert.equal(keyAction(keys, { key: " ", code: "Space" }), "timer.toggle");
  assert.equal(keyAction(keys, { key: "Delete", code: "Delete" }), "queue.remove");
});

test("Ctrl, Alt and Meta combinations stay the browser's; unknown keys mean nothing", () => {
  assert.equal(keyAction(keys, { key: "f", ctrlKey: true }), null);
  assert.equal(keyAction(keys, { key: "1", code: "Digit1", altKey: true }), null);
  assert.equal(keyAction(keys, { key: "w", code: "KeyW" }), null);
  assert.equal(keyLabel(keys, "undo"), "U");
});

test("a phone's turn: next in the questions, the floor, queued, none", () => {
  const q = (id, code, status = "waiting") => ({ id, state: { code }, status });
  const s = { phase: "qa", queue: [q("q1", "FR", "on_floor"), q("q2", "BR"), q("q3", "KE")], next: { question: "q2" } };
  assert.deepEqual(["FR", "BR", "KE", "JP"].map((c) => turnOf(s, c)), ["floor", "next", "queued", "none"]);
  assert.equal(turnOf({ ...s, phase: "statements" }, "BR"), "queued");
});

test("who is next, and a preset in the speaker's language", () => {
  const s = {
    phase: "statements",
    speakers: [{ id: "a", status: "done" }, { id: "b", status: "waiting" }],
    queue: [],
    next: { speaker: "b", question: null },
  };
  assert.equal(nextUp(s).speaker.id, "b");
  assert.equal(nextUp({ ...s, phase: "qa" }), null);
  const presets = { en: { conclude: "Please conclude" }, fr: { conclude: "Veuillez conclure" } };
  assert.equal(messageText({ text: "Please conclude", preset: "conclude" }, presets, "fr", "en"), "Veuillez conclure");
  assert.equal(messageText({ text: "Please conclude", preset: "conclude" }, presets, "es", "en"), "Please conclude");
  assert.equal(messageText({ text: "Hello", preset: null }, presets, "fr", "en"), "Hello");
});

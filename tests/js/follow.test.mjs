// The browser's parts of the series screens and of the connected screens: the mission's choice,
// the rest of the day, the clock's jump detection, the words of the console's list.
import assert from "node:assert/strict";
import { test } from "node:test";

import { restOfDay } from "../../static/js/lib/between.js";
import { ServerClock } from "../../static/js/lib/clock.js";
import { target } from "../../static/js/lib/follow.js";
import { screenLabel } from "../../static/js/lib/identity.js";
import { nextSpeakerOf } from "../../static/js/lib/rules.js";
import { translator } from "../../static/js/lib/i18n.js";
import { offsetWords } from "../../static/js/lib/screens_panel.js";

const HOUR = 3600000;
const series = (current, open, sessions = []) => ({ current_session_id: current, open_session_ids: open, sessions });

test("the phone keeps to the chosen session while it is open, else the server's answer", () => {
  assert.equal(target(series("b", ["b", "a"]), "a"), "a");
  assert.equal(target(series("b", ["b"]), "a"), "b");
  assert.equal(target(series("b", []), null), "b");
});

test("the rest of the day: later sessions of the same day in the series' zone, not closed", () => {
  const day = Date.UTC(2030, 11, 10, 9, 0); // 10:00 in Geneva
  const s = (id, start, phase = "scheduled") => ({ id, start, phase });
  const all = [s("a", day), s("b", day + 2 * HOUR), s("c", day + 3 * HOUR, "closed"), s("d", day + 15 * HOUR), s("e", day - HOUR)];
  const later = restOfDay(series("a", [], all), { id: "a", start: day }, "Europe/Zurich");
  assert.deepEqual(
    later.map((x) => x.id),
    ["b"],
  );
  assert.deepEqual(restOfDay(null, { id: "a", start: day }, "Europe/Zurich"), []);
});

test("the next session's first speaker is the one the server names next", () => {
  const speakers = [
    { id: "1", status: "skipped" },
    { id: "2", status: "waiting" },
  ];
  assert.equal(nextSpeakerOf({ speakers, next: { speaker: "2", question: null } }).id, "2");
  assert.equal(nextSpeakerOf({ speakers, next: { speaker: null, question: null } }), null);
});

test("a jump of the page's clock forgets the old samples, and a ping sent before it measures nothing", () => {
  const clock = new ServerClock();
  let jumps = 0;
  clock.onJump(() => (jumps += 1));
  assert.equal(clock.look(1000, 5000), false);
  clock.sample(1000, 5000, 5000, 1002);
  assert.equal(clock.offset, 3999);
  assert.equal(clock.look(1500, 5500), false); // half a second later, both clocks in step
  assert.equal(clock.look(601500, 605500), true); // ten minutes in one step: a sleep, or a frozen page
  assert.equal(jumps, 1);
  assert.deepEqual(clock.samples, []);
  clock.sample(1400, 5401, 5401, 601600); // a ping from before the jump, answered after it
  assert.deepEqual(clock.samples, []);
  clock.sample(601600, 5700, 5700, 601602);
  assert.equal(clock.offset, 5700 - 601601);
  assert.equal(clock.look(602000, 5000 + 602000 + 5000), true); // the wall clock moved against the monotonic one
});

test("the console's words for a screen's clock and its label", () => {
  const tr = translator({ clock_in_step: "in step", clock_ahead: "%(s)s s ahead", clock_behind: "%(s)s s behind", clock_unknown: "?", screen_room: "Room display" }, "en");
  assert.equal(offsetWords(tr, "en", null), "?");
  assert.equal(offsetWords(tr, "en", 12), "in step");
  assert.equal(offsetWords(tr, "en", -420000), "420.0 s ahead");
  assert.equal(offsetWords(tr, "fr", 180000), "180,0 s behind");
  assert.equal(screenLabel(tr, { name: "", kind: "room", screen_id: "abcdef12" }), "Room display · EF12");
  assert.equal(screenLabel(tr, { name: "Projector", kind: "room", screen_id: "abcdef12" }), "Projector");
});

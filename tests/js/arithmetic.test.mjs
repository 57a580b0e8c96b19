// The browser's arithmetic against the cases the Python tests read too (tests/fixtures/*.json).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { ranMs, remainingMs, spokenMs } from "../../static/js/lib/countdown.js";
import { targetMs as positionMs } from "../../static/js/lib/video.js";

const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")).cases;

for (const c of fixture("timer.json")) {
  test(`timer: ${c.name}`, () => {
    assert.equal(remainingMs(c.timer, c.now), c.remaining_ms);
    assert.equal(ranMs(c.timer, c.now), c.ran_ms);
  });
}

for (const c of fixture("playback.json")) {
  test(`playback: ${c.name}`, () => {
    assert.equal(positionMs(c.playback, c.now), c.position_ms);
  });
}

for (const c of fixture("spoken.json")) {
  test(`spoken: ${c.name}`, () => {
    assert.equal(spokenMs(c.speaker, c.timer, c.holds_floor, c.now), c.spoken_ms);
  });
}

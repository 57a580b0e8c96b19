// The browser's reading of the server's rules against the cases the Python tests check (tests/fixtures/rules.json).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import { abilities, upcoming } from "../../static/js/lib/rules.js";

const fixture = JSON.parse(readFileSync(new URL("../fixtures/rules.json", import.meta.url), "utf8"));

for (const c of fixture.abilities) {
  test(`abilities: ${c.name}`, () => {
    assert.deepEqual(abilities(c.session, c.code, fixture.rules), c.abilities);
  });
}

for (const c of fixture.next_video) {
  test(`next video: ${c.name}`, () => {
    const speakers = c.speakers.map((s) => ({ ...s, video: s.video ? { url: `/media/${s.id}.mp4`, duration_ms: 1000 } : null }));
    const next = upcoming({ speakers })[0];
    assert.equal(next ? next.id : null, c.next);
  });
}

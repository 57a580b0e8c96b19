// The workspace's pure parts: wall-clock times of the series' zone both ways, days, videos.
import assert from "node:assert/strict";
import { test } from "node:test";

import { byDay, readiness, videoState, videoType } from "../../static/js/lib/week.js";
import { localFields, offsetMinutes, zonedIso } from "../../static/js/lib/zoned.js";

test("zonedIso gives the offset the zone has at that date, winter and summer", () => {
  assert.equal(zonedIso("2030-12-10", "10:00", "Europe/Zurich"), "2030-12-10T10:00:00+01:00");
  assert.equal(zonedIso("2030-07-10", "10:00", "Europe/Zurich"), "2030-07-10T10:00:00+02:00");
  assert.equal(zonedIso("2030-07-10", "09:30", "America/New_York"), "2030-07-10T09:30:00-04:00");
  assert.equal(zonedIso("2030-07-10", "09:30", "Asia/Kolkata"), "2030-07-10T09:30:00+05:30");
  assert.equal(zonedIso("2030-07-10", "09:30", "UTC"), "2030-07-10T09:30:00+00:00");
});

test("zonedIso and localFields are inverse, across the autumn change", () => {
  for (const [date, time] of [["2030-10-27", "01:30"], ["2030-10-27", "03:30"], ["2030-03-31", "12:00"]]) {
    const ms = Date.parse(zonedIso(date, time, "Europe/Zurich"));
    assert.deepEqual(localFields(ms, "Europe/Zurich"), { date, time });
  }
  assert.equal(offsetMinutes(Date.parse("2030-12-10T09:00:00Z"), "Europe/Zurich"), 60);
});

test("sessions are grouped by their day in the series' zone", () => {
  const at = (iso) => ({ start: Date.parse(iso) });
  // 23:30 UTC on the 10th is already the 11th in Geneva
  const days = byDay([at("2030-12-10T23:30:00Z"), at("2030-12-10T09:00:00Z"), at("2030-12-11T09:00:00Z")], "Europe/Zurich");
  assert.deepEqual(days.map((d) => [d.day, d.sessions.length]), [["2030-12-10", 1], ["2030-12-11", 2]]);
});

test("a video longer than the speaker's slot is flagged", () => {
  const sp = (video) => ({ allotted_ms: 420000, video });
  assert.equal(videoState(sp(null), true), "none");
  assert.equal(videoState(sp(null), false), "in_person");
  assert.equal(videoState(sp({ duration_ms: null }), true), "unknown");
  assert.equal(videoState(sp({ duration_ms: 420000 }), true), "ok");
  assert.equal(videoState(sp({ duration_ms: 420001 }), true), "long");
  assert.deepEqual(readiness({ speakers: [sp(null), sp({ duration_ms: 1 })] }), { ready: 1, n: 2 });
});

test("the upload type comes from the file's type, else its name", () => {
  assert.equal(videoType({ type: "video/quicktime", name: "a" }), "video/quicktime");
  assert.equal(videoType({ type: "", name: "Statement.MOV" }), "video/quicktime");
  assert.equal(videoType({ type: "", name: "s.webm" }), "video/webm");
  assert.equal(videoType({ type: "video/x-msvideo", name: "s.avi" }), null);
});

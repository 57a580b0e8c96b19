// The week at a glance, as plain data: sessions grouped by day, each speaker's video readiness.
// No DOM: the workspace draws what these return.

import { dayOf } from "./dates.js";

/** Sessions (in start order) grouped by their day in `timeZone`: [{day: "YYYY-MM-DD", sessions}]. */
export function byDay(sessions, timeZone) {
  const days = [];
  for (const session of [...sessions].sort((a, b) => a.start - b.start)) {
    const day = dayOf(session.start, timeZone);
    const last = days[days.length - 1];
    if (last && last.day === day) last.sessions.push(session);
    else days.push({ day, sessions: [session] });
  }
  return days;
}

/**
 * What a speaker's video looks like for the workspace: `none` (no video; in person none is
 * needed), `unknown` (attached, length not known), `ok`, or `long` (longer than the slot).
 */
export function videoState(speaker, playsVideo) {
  const video = speaker.video;
  if (!video) return playsVideo ? "none" : "in_person";
  if (video.duration_ms == null) return "unknown";
  return video.duration_ms > speaker.allotted_ms ? "long" : "ok";
}

/** How many of a session's speakers have a video: {ready, n}. */
export function readiness(session) {
  return { ready: session.speakers.filter((s) => s.video).length, n: session.speakers.length };
}

/** The content type to upload a file as, from its type or its name; null for one the server refuses. */
export function videoType(file) {
  const type = (file.type || "").toLowerCase();
  if (type === "video/mp4" || type === "video/webm" || type === "video/quicktime") return type;
  const name = (file.name || "").toLowerCase();
  if (name.endsWith(".mp4") || name.endsWith(".m4v")) return "video/mp4";
  if (name.endsWith(".webm")) return "video/webm";
  if (name.endsWith(".mov")) return "video/quicktime";
  return null;
}

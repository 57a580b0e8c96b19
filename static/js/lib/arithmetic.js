// The arithmetic the server computes too, with no DOM access so node can import it
// (tests/js/arithmetic.test.mjs). The same cases pin the Python side: tests/fixtures/*.json,
// read by tests/core/test_timer.py and tests/core/test_playback.py.
// Python: moderator/core/timer.py (Timer.remaining, Timer.ran) and moderator/core/playback.py.

/** Remaining milliseconds of a contract `timer` at server time `t`; negative is overtime. */
export function remainingMs(timer, t) {
  if (!timer) return 0;
  return timer.duration_ms - ranMs(timer, t);
}

/** Milliseconds the timer has run by server time `t`, the current run included. */
export function ranMs(timer, t) {
  if (!timer) return 0;
  return timer.elapsed_ms + runningPartMs(timer, t);
}

/** The part of the current run not yet counted in `elapsed_ms` or `spoken_ms` (PROTOCOL §3.2). */
export function runningPartMs(timer, t) {
  if (!timer || timer.status !== "running" || timer.running_since == null) return 0;
  return Math.max(0, t - timer.running_since);
}

/**
 * A speaker's spoken time at server time `t`: the wire's `spoken_ms` (every run already ended)
 * plus the run under way when they hold the floor (PROTOCOL §3.2; Python: core/rules.py spoken_ms).
 */
export function spokenMs(speaker, timer, holdsFloor, t) {
  return speaker.spoken_ms + (holdsFloor ? runningPartMs(timer, t) : 0);
}

/** The position of a contract `playback` at server time `t` (ms), within [0, duration] when it is known. */
export function positionMs(playback, t, durationMs = playback.duration_ms) {
  let pos = playback.position_ms;
  if (playback.status === "playing") pos += Math.max(0, t - playback.anchor);
  if (durationMs != null) pos = Math.min(pos, durationMs);
  return Math.max(0, pos);
}

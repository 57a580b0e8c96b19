// The countdown arithmetic every screen draws with (pure: no clock is read here, the
// caller passes the server time `t`), and the countdown as it is written.

/** Remaining milliseconds of a contract `timer` at server time `t`; negative is overtime. */
export function remainingMs(timer, t) {
  if (!timer) return 0;
  const base = timer.duration_ms - timer.elapsed_ms;
  if (timer.status === "running" && timer.running_since != null) {
    return base - Math.max(0, t - timer.running_since);
  }
  return base;
}

/** Milliseconds the timer has run by server time `t`, the current run included. */
export function ranMs(timer, t) {
  if (!timer) return 0;
  if (timer.status === "running" && timer.running_since != null) {
    return timer.elapsed_ms + Math.max(0, t - timer.running_since);
  }
  return timer.elapsed_ms;
}

/** The part of the current run not yet counted in `spoken_ms` (PROTOCOL §3.2). */
export function runningPartMs(timer, t) {
  if (!timer || timer.status !== "running" || timer.running_since == null) return 0;
  return Math.max(0, t - timer.running_since);
}

/**
 * A speaker's spoken time at server time `t`: the wire's `spoken_ms` (every run already ended)
 * plus the run under way when they hold the floor (PROTOCOL §3.2; Python: core/rules.py spoken_ms).
 * Pinned with the server by tests/fixtures/spoken.json (tests/js/arithmetic.test.mjs).
 */
export function spokenMs(speaker, timer, holdsFloor, t) {
  return speaker.spoken_ms + (holdsFloor ? runningPartMs(timer, t) : 0);
}

function pad2(n) {
  return n < 10 ? `0${n}` : String(n);
}

/** Whole seconds as mm:ss (minutes keep growing past 59). */
export function mmss(totalSeconds) {
  const s = Math.max(0, Math.trunc(totalSeconds));
  return `${pad2(Math.floor(s / 60))}:${pad2(s % 60)}`;
}

/**
 * A countdown as it is shown: "04:59" while time is left (rounded up, so the full
 * time shows at the start and 00:00 is never shown early), "+00:12" in overtime.
 */
export function formatCountdown(remaining) {
  if (remaining >= 0) return mmss(Math.ceil(remaining / 1000));
  return `+${mmss(Math.floor(-remaining / 1000))}`;
}

/** A duration (allotted or spoken time) as mm:ss, rounded down. */
export function formatDuration(ms) {
  return mmss(Math.floor(Math.max(0, ms) / 1000));
}

/**
 * The cue level of a countdown: "none" when nobody holds the floor, "normal",
 * "warning" once at most `warning_ms` is left, "over" at zero and after.
 */
export function countdownLevel(session, remaining) {
  if (!session || !session.floor || !session.timer) return "none";
  if (remaining <= 0) return "over";
  if (remaining <= session.timer.warning_ms) return "warning";
  return "normal";
}

/**
 * `projected_end` at server time `t`, moved on from the frame's own time: while the
 * floor holder runs over, or while the timer stands still, the end moves later.
 */
export function projectedEndAt(session, frameTime, t) {
  if (!session || session.projected_end == null) return null;
  if (session.phase === "closed" || session.phase === "scheduled") return session.projected_end;
  const hold = (at) => (session.floor ? Math.max(0, remainingMs(session.timer, at)) : 0);
  return session.projected_end + (t + hold(t)) - (frameTime + hold(frameTime));
}

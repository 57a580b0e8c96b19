// The countdown's cues in words: the warning ("1 minute left") and the end of time, announced
// once each to assistive technology as the countdown crosses them.

/**
 * Announce the warning and the end of time once each, in a polite or assertive
 * live region, as the countdown crosses them. The first frame only sets the level.
 */
export class CueAnnouncer {
  constructor(region, words) {
    this.region = region;
    this.words = words;
    this.level = null;
    this.floorKey = null;
  }

  update(session, level) {
    const floorKey = session && session.floor ? `${session.floor.kind}:${session.floor.id}` : null;
    const previous = this.floorKey === floorKey ? this.level : null;
    if (this.level !== null && previous !== level && (level === "warning" || level === "over")) {
      if (!(previous === "over" && level === "warning")) this.say(level === "warning" ? this.words.warning(session) : this.words.over);
    }
    this.level = level;
    this.floorKey = floorKey;
  }

  say(text) {
    if (!this.region) return;
    // Clear, then set on the next frame, so the same sentence twice is announced twice.
    this.region.textContent = "";
    requestAnimationFrame(() => {
      this.region.textContent = text;
    });
  }
}

/** The warning cue in words: "1 minute left", "2 minutes left", "30 seconds left". */
export function warningWords(tr, warningMs) {
  if (warningMs % 60000 === 0) {
    const n = warningMs / 60000;
    return n === 1 ? tr("one_minute_left") : tr("minutes_left", { n });
  }
  return tr("seconds_left", { n: Math.round(warningMs / 1000) });
}

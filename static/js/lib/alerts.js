// A mission's phone, told in words (and by vibration, where the browser allows) when its State
// is next and when it has the floor; its screen kept on while its State is in the queue. The
// phone's page starts it with its connection (`startAlerts(live, …)`); `turnOf` is pure.

import { nextQuestionOf } from "./rules.js";

/**
 * Where the State `code` stands in `session`: "floor" (it has the floor), "next" (the first
 * waiting in the questions and answers), "queued", or "none".
 */
export function turnOf(session, code) {
  if (!session || !code || !Array.isArray(session.queue)) return "none";
  const entry = session.queue.find((e) => e.state && e.state.code === code);
  if (!entry) return "none";
  if (entry.status === "on_floor") return "floor";
  const first = nextQuestionOf(session);
  if (session.phase === "qa" && first && first.id === entry.id) return "next";
  return "queued";
}

// Vibration patterns: one pulse when next, three when the floor is given.
const PULSE_MS = 250;
const GAP_MS = 120;
export const PATTERNS = { next: [PULSE_MS], floor: [PULSE_MS, GAP_MS, PULSE_MS, GAP_MS, PULSE_MS] };

/** The screen kept on (Screen Wake Lock API) while `want(true)`; taken again when the page comes back. */
export class ScreenWake {
  constructor() {
    this.wanted = false;
    this.lock = null;
    this.asking = false;
    document.addEventListener("visibilitychange", () => {
      if (this.wanted && !this.lock && document.visibilityState === "visible") this.acquire();
    });
  }

  async acquire() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible" || this.lock || this.asking) return;
    this.asking = true; // one request at a time: states keep coming while the browser answers
    try {
      const lock = await navigator.wakeLock.request("screen");
      this.lock = lock;
      document.documentElement.dataset.wakeLock = "on";
      lock.addEventListener("release", () => {
        if (this.lock === lock) this.lock = null;
        delete document.documentElement.dataset.wakeLock;
      });
      if (!this.wanted) this.release();
    } catch {
      this.lock = null; // refused (battery saver, no permission): the page still works
    } finally {
      this.asking = false;
    }
  }

  release() {
    const lock = this.lock;
    this.lock = null;
    delete document.documentElement.dataset.wakeLock;
    if (lock) lock.release().catch(() => {});
  }

  want(on) {
    this.wanted = on;
    if (on) this.acquire();
    else this.release();
  }
}

/**
 * Follow `live`'s states for the State `code()`: on becoming next or getting the floor, say it
 * in `region` (an aria-live region) and `banner` (visible), with `words[turn]`, and vibrate.
 */
export function startAlerts(live, code, { region, banner, words }) {
  const wake = new ScreenWake();
  let last = null;
  live.addEventListener("state", (ev) => {
    const turn = turnOf(ev.detail, code());
    wake.want(turn !== "none");
    if (turn === last) return;
    const first = last === null;
    last = turn;
    const message = turn === "next" || turn === "floor" ? words[turn] : "";
    banner.textContent = message;
    banner.hidden = !message;
    banner.dataset.turn = turn;
    if (!message || first) {
      if (message) region.textContent = message; // on opening the page: shown and read, no buzz
      return;
    }
    region.textContent = message;
    if (typeof navigator.vibrate === "function") {
      try {
        navigator.vibrate(PATTERNS[turn]);
      } catch {
        /* not allowed here (no user gesture yet, or an iframe): the words are enough */
      }
    }
  });
  return wake;
}

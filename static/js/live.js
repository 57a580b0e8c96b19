// The one shared client of the live channel (contract v1, PROTOCOL §3).
//
// It owns the socket (hello, welcome, state), reconnects with jittered exponential
// backoff, keeps the offset to the server's clock from ping/pong samples, and offers
// the countdown arithmetic every screen draws with. Screens keep no state of their
// own: they render `live.state`, the session of the last `state` frame.

const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 30000;
const SAMPLES_PER_BURST = 5;
const RESYNC_EVERY_MS = 30000;
const HEARTBEAT_EVERY_MS = 2000;
const STALE_AFTER_MS = 6000;
const SAMPLE_WINDOW_MS = 120000;
const CLOCK_JUMP_MS = 1000;
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4404]);

// ---------------------------------------------------------------- clock

// The browser's wall clock is read exactly once, to anchor the monotonic clock;
// from then on client time is performance.now() plus that anchor, so neither a
// wrong system clock nor a change to it while the page is open moves a countdown.
const wallAnchor = Date.now() - performance.now();

/** Client time in epoch-like milliseconds, from the monotonic clock. */
export function clientNow() {
  return wallAnchor + performance.now();
}

/** Offset of the server's clock from this page's clock, from ping/pong samples. */
export class ServerClock {
  constructor() {
    this.offset = 0;
    this.rtt = Infinity;
    this.samples = [];
    this.synced = false;
  }

  /** Forget every sample (a new connection) and take a first rough offset from a server time. */
  seed(serverTime) {
    this.samples = [];
    this.synced = false;
    this.rtt = Infinity;
    this.offset = serverTime - clientNow();
  }

  /**
   * Add one ping/pong sample: t0 sent and t3 received on the client clock,
   * t1 received and t2 sent on the server clock. The sample with the lowest
   * round trip among the recent ones gives the offset.
   */
  sample(t0, t1, t2, t3) {
    const rtt = t3 - t0 - (t2 - t1);
    const offset = (t1 - t0 + (t2 - t3)) / 2;
    if (rtt < 0) return;
    if (this.synced && Math.abs(offset - this.offset) > CLOCK_JUMP_MS + rtt + this.rtt) {
      // One of the two clocks jumped (a suspended laptop, a server clock step): old samples lie.
      this.samples = [];
    }
    this.samples.push({ at: t3, rtt, offset });
    const cutoff = t3 - SAMPLE_WINDOW_MS;
    this.samples = this.samples.filter((s) => s.at >= cutoff);
    let best = this.samples[0];
    for (const s of this.samples) if (s.rtt <= best.rtt) best = s;
    this.offset = best.offset;
    this.rtt = best.rtt;
    this.synced = true;
  }

  /** The server's wall clock now, in epoch milliseconds. */
  now() {
    return clientNow() + this.offset;
  }
}

/** The page's one server clock, shared by every module that imports this one. */
export const clock = new ServerClock();

/** The server's wall clock now (epoch ms), estimated on this page. */
export function serverNow() {
  return clock.now();
}

// ---------------------------------------------------------------- countdowns

// Time left and time run: the shared arithmetic (lib/arithmetic.js, pinned with the server by tests/fixtures).
import { ranMs, remainingMs, runningPartMs } from "./lib/arithmetic.js";

export { ranMs, remainingMs, runningPartMs };

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

// ---------------------------------------------------------------- strings

/** Read the page's JSON configuration blob (translated strings included), written by the template. */
export function pageConfig(id = "page-config") {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : {};
}

/** Fill `%(name)s` placeholders of a translated string. */
export function fill(text, params = {}) {
  return String(text).replace(/%\(([a-z_]+)\)s/g, (whole, key) => (key in params ? String(params[key]) : whole));
}

/**
 * A translator over the page's strings: tr("key", {n: 3}). Unknown keys show as themselves.
 * A string with plural forms ({"one": …, "other": …}, from the template's two-argument
 * ngettext) takes the form `n` needs under the plural rules of `lang` (the page's language).
 */
export function translator(strings, lang = typeof document === "undefined" ? "en" : document.documentElement.lang) {
  const rules = new Intl.PluralRules(lang || "en");
  return (key, params) => {
    let value = key in strings ? strings[key] : key;
    if (value && typeof value === "object") {
      value = rules.select(Number(params && params.n)) === "one" ? value.one : value.other;
    }
    return fill(value, params);
  };
}

// ---------------------------------------------------------------- the socket

let commandCounter = 0;

/** An error answer of the server, or a command that could not be sent. */
export class CommandError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * One live connection to one session. Events (EventTarget): "welcome", "state",
 * "status" (detail: "connecting" | "live" | "lost" | "fatal"), "notice" (an error
 * frame that answers no command of ours), "fatal" (detail: close code).
 */
export class Live extends EventTarget {
  constructor({ sessionId, token = null, lang = "en", messages = {}, badge = null }) {
    super();
    this.sessionId = sessionId;
    this.token = token;
    this.lang = lang;
    this.messages = messages;
    this.badge = badge;
    this.state = null;
    this.seq = -1;
    this.frameTime = null;
    this.role = null;
    this.stateCode = null;
    this.status = "connecting";
    this.fatalCode = null;
    this.ws = null;
    this.attempt = 0;
    this.pending = new Map();
    this.lastHeard = clientNow();
    this.burstLeft = 0;
    this.outstandingPing = null;
    this.retryTimer = null;
    this.retryAt = null;
    this.connectingSince = clientNow();
    this.everConnected = false;
    this.onOnline = () => {
      if (this.status !== "live" && this.status !== "fatal") this.reconnectNow();
    };
    this.onVisible = () => {
      if (document.visibilityState === "visible" && this.status === "live") this.checkAlive();
    };
  }

  /** Open the socket and keep it open until `stop()` or a fatal close. */
  start() {
    window.addEventListener("online", this.onOnline);
    document.addEventListener("visibilitychange", this.onVisible);
    this.watchdog = window.setInterval(() => this.tick(), 500);
    this.resync = window.setInterval(() => this.startBurst(), RESYNC_EVERY_MS);
    this.open();
    this.paintBadge();
    return this;
  }

  stop() {
    window.removeEventListener("online", this.onOnline);
    document.removeEventListener("visibilitychange", this.onVisible);
    window.clearInterval(this.watchdog);
    window.clearInterval(this.resync);
    window.clearTimeout(this.retryTimer);
    this.drop();
  }

  /** Move this connection to another session (a mission's phone following its series). */
  switchSession(sessionId) {
    if (sessionId === this.sessionId) return;
    this.sessionId = sessionId;
    this.state = null;
    this.seq = -1;
    this.reconnectNow();
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws/sessions/${encodeURIComponent(this.sessionId)}`;
  }

  open() {
    this.retryTimer = null;
    this.retryAt = null;
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.welcomed = false;
    this.lastHeard = clientNow();
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.lastHeard = clientNow();
      ws.send(JSON.stringify({ type: "hello", token: this.token, lang: this.lang }));
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      this.lastHeard = clientNow();
      let frame;
      try {
        frame = JSON.parse(ev.data);
      } catch {
        return;
      }
      this.receive(frame);
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.failPending();
      if (FATAL_CLOSE_CODES.has(ev.code)) {
        this.fatalCode = ev.code;
        this.setStatus("fatal");
        this.dispatchEvent(new CustomEvent("fatal", { detail: ev.code }));
        return;
      }
      this.setStatus(this.everConnected ? "lost" : "connecting");
      this.scheduleRetry();
    };
  }

  /** Abandon the current socket at once (its close handshake may never finish on a dead link). */
  drop() {
    const ws = this.ws;
    this.ws = null;
    this.failPending();
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        /* already closed */
      }
    }
  }

  scheduleRetry() {
    window.clearTimeout(this.retryTimer);
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    this.retryAt = clientNow() + delay;
    this.retryTimer = window.setTimeout(() => this.open(), delay);
    this.paintBadge();
  }

  reconnectNow() {
    window.clearTimeout(this.retryTimer);
    this.drop();
    this.attempt = 0;
    this.open();
  }

  receive(frame) {
    switch (frame.type) {
      case "welcome":
        this.welcomed = true;
        this.everConnected = true;
        this.attempt = 0;
        this.role = frame.role;
        this.stateCode = frame.state_code ?? null;
        clock.seed(frame.server_time);
        this.seq = -1;
        this.setStatus("live");
        this.startBurst();
        this.dispatchEvent(new CustomEvent("welcome", { detail: frame }));
        break;
      case "state":
        if (typeof frame.seq === "number" && frame.seq < this.seq) return;
        this.seq = frame.seq;
        this.state = frame.session;
        this.frameTime = frame.server_time;
        this.dispatchEvent(new CustomEvent("state", { detail: frame.session }));
        document.dispatchEvent(new CustomEvent("live:state", { detail: { live: this, session: frame.session } }));
        break;
      case "pong":
        this.pong(frame);
        break;
      case "ack": {
        const p = this.pending.get(frame.id);
        if (p) {
          this.pending.delete(frame.id);
          p.resolve(frame);
        }
        break;
      }
      case "error": {
        const p = frame.id != null ? this.pending.get(frame.id) : undefined;
        if (p) {
          this.pending.delete(frame.id);
          p.reject(new CommandError(frame.code, frame.message));
        } else {
          this.dispatchEvent(new CustomEvent("notice", { detail: frame }));
        }
        break;
      }
      default:
        break;
    }
  }

  /** Send a command; resolves with the ack, rejects with a CommandError. Never queued while offline. */
  send(name, args = {}) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.welcomed) {
      return Promise.reject(new CommandError("offline", this.messages.offline || "Not connected."));
    }
    commandCounter += 1;
    const id = `c-${commandCounter}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ type: "command", id, name, args }));
    });
  }

  failPending() {
    const lost = this.messages.lost || "The connection was lost.";
    for (const p of this.pending.values()) p.reject(new CommandError("offline", lost));
    this.pending.clear();
  }

  // -------------------------------------------------- clock sync

  startBurst() {
    this.burstLeft = SAMPLES_PER_BURST;
    if (!this.outstandingPing) this.ping();
  }

  ping() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || !this.welcomed) return;
    const t0 = Math.round(clientNow());
    this.outstandingPing = { t0, sentAt: clientNow() };
    this.ws.send(JSON.stringify({ type: "ping", t0 }));
  }

  pong(frame) {
    const t3 = clientNow();
    if (this.outstandingPing && frame.t0 === this.outstandingPing.t0) this.outstandingPing = null;
    if (typeof frame.t1 === "number" && typeof frame.t2 === "number") clock.sample(frame.t0, frame.t1, frame.t2, t3);
    if (this.burstLeft > 0) {
      this.burstLeft -= 1;
      if (this.burstLeft > 0) this.ping();
    }
  }

  // -------------------------------------------------- liveness

  tick() {
    if (this.ws && !this.welcomed && clientNow() - this.lastHeard > 2 * STALE_AFTER_MS) {
      // A socket that never opened or never got its welcome (a black hole, a stuck proxy): try again.
      this.drop();
      this.setStatus(this.everConnected ? "lost" : "connecting");
      this.scheduleRetry();
    }
    if (this.status === "live") {
      this.checkAlive();
      const now = clientNow();
      const waiting = this.outstandingPing && now - this.outstandingPing.sentAt < HEARTBEAT_EVERY_MS;
      if (this.status === "live" && !waiting && now - this.lastHeard >= HEARTBEAT_EVERY_MS) this.ping();
    }
    this.paintBadge();
  }

  /** No frame and no pong for a few seconds: the link is dead even if the socket says open. */
  checkAlive() {
    if (clientNow() - this.lastHeard > STALE_AFTER_MS) {
      this.drop();
      this.setStatus("lost");
      this.scheduleRetry();
    }
  }

  setStatus(status) {
    if (status === this.status) return;
    if (status === "connecting") this.connectingSince = clientNow();
    this.status = status;
    this.paintBadge();
    this.dispatchEvent(new CustomEvent("status", { detail: status }));
  }

  /**
   * The "connection lost / reconnecting" badge, in words. Assistive technology hears the
   * steady sentence once (the badge is a status region); the seconds to the next attempt
   * are shown beside it but kept out of the announcements.
   */
  paintBadge() {
    const el = this.badge;
    if (!el) return;
    const m = this.messages;
    let said = "";
    let shown = "";
    let kind = "";
    if (this.status === "fatal") {
      kind = "fatal";
      said =
        this.fatalCode === 4404
          ? m.not_found || "This session does not exist."
          : this.fatalCode === 4401
            ? m.refused || "This link or token is not valid for this session."
            : m.broken || "The server refused this screen.";
    } else if (this.status === "lost") {
      kind = "lost";
      said = m.reconnecting || "Connection lost. Reconnecting…";
      const wait = this.retryAt ? Math.max(0, Math.ceil((this.retryAt - clientNow()) / 1000)) : 0;
      if (wait > 0) shown = fill(m.reconnecting_in || "Connection lost. Reconnecting in %(s)s s…", { s: wait });
    } else if (this.status === "connecting" && clientNow() - this.connectingSince > 1500) {
      kind = "lost";
      said = m.connecting || "Connecting…";
    }
    if (!el.firstElementChild) {
      const heard = document.createElement("span");
      const seen = document.createElement("span");
      seen.setAttribute("aria-hidden", "true");
      el.replaceChildren(heard, seen);
    }
    const [heard, seen] = el.children;
    if (el.dataset.kind !== kind) {
      el.dataset.kind = kind;
      el.hidden = kind === "";
    }
    // While a countdown is shown, the steady sentence is there for screen readers only.
    heard.className = shown ? "visually-hidden" : "";
    if (heard.textContent !== said) heard.textContent = said;
    if (seen.textContent !== shown) seen.textContent = shown;
  }
}

/** Connect to a session and start; `badge` defaults to the page's #connection element. */
export function connect(options) {
  const badge = options.badge === undefined ? document.getElementById("connection") : options.badge;
  const live = new Live({ ...options, badge });
  live.start();
  window.uprLive = live;
  return live;
}

// ---------------------------------------------------------------- drawing

/** Call `draw(serverNow)` on every animation frame until the page goes away. */
export function everyFrame(draw) {
  const step = () => {
    try {
      draw(serverNow());
    } finally {
      requestAnimationFrame(step);
    }
  };
  requestAnimationFrame(step);
}

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

const formats = new Map();

/** An Intl.DateTimeFormat, made once per language, time zone and options (drawn every frame). */
function formatter(lang, timeZone, opts) {
  const key = `${lang}|${timeZone || ""}|${JSON.stringify(opts)}`;
  let f = formats.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(lang, timeZone ? { ...opts, timeZone } : opts);
    } catch {
      f = new Intl.DateTimeFormat(lang, opts); // an unknown zone: the browser's own
    }
    formats.set(key, f);
  }
  return f;
}

/** The calendar day of `ms` in `timeZone`, as "YYYY-MM-DD". */
export function dayOf(ms, timeZone) {
  const parts = formatter("en", timeZone, { year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date(ms));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** A date alone ("Mon, Nov 30" / "lun. 30 nov."), in the page's language, the year only if not this one's. */
export function clockDate(ms, lang, timeZone, today = serverNow()) {
  const opts = { weekday: "short", day: "numeric", month: "short" };
  if (dayOf(ms, timeZone).slice(0, 4) !== dayOf(today, timeZone).slice(0, 4)) opts.year = "numeric";
  // Kept on one line: a date cut in two ("lun. / 30 nov.") reads as two things.
  return formatter(lang, timeZone, opts).format(new Date(ms)).replace(/ /g, "\u00a0");
}

/**
 * Format an absolute server time as a wall-clock time of the series' place, with its date in
 * brackets when it is not on the day of `today` (the server's now unless given; null: never a
 * date), so that a time of yesterday or tomorrow never passes for one of today.
 */
export function clockTime(ms, lang, timeZone, withSeconds = false, today = serverNow()) {
  if (ms == null) return "—";
  const opts = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (withSeconds) opts.second = "2-digit";
  const clock = formatter(lang, timeZone, opts).format(new Date(ms));
  // The time first, so that it reads in a sentence ("Starts at 12:00 (Wed, Dec 2)").
  if (today != null && dayOf(ms, timeZone) !== dayOf(today, timeZone)) return `${clock} (${clockDate(ms, lang, timeZone, today)})`;
  return clock;
}

// A moderator token arrives in the URL fragment (#token=…), which browsers never send to the
// server; it is kept in this tab's sessionStorage under `key` and wiped from the address bar.
export function takeToken(key) {
  const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(key, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(key);
}

// The one shared client of the live channel (contract v1, PROTOCOL §3).
//
// It owns the socket (hello, welcome, state), reconnects with jittered exponential
// backoff, keeps the page's server clock (clock.js) fed with ping/pong samples and its
// badge (badge.js) painted. Screens keep no state of their own: they render `live.state`,
// the session of the last `state` frame, and hear of changes through the connection's own
// events (its one channel): "welcome", "state", "status", "notice", "fatal", and for a screen
// that follows its series "series" (the server's `series` frame, PROTOCOL §5), for a screen
// that named itself "identify" and "screen" (connected screens, docs/protocol.md).

import { retryDelayMs } from "./backoff.js";
import { Badge } from "./badge.js";
import { clientNow, clock } from "./clock.js";

const SAMPLES_PER_BURST = 5;
const RESYNC_EVERY_MS = 30000;
const HEARTBEAT_EVERY_MS = 2000;
const STALE_AFTER_MS = 6000;
const WAKE_ANSWER_MS = 1500;
const FATAL_CLOSE_CODES = new Set([4400, 4401, 4404]);

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
  constructor({ sessionId, token = null, lang = "en", messages = {}, badge = null, follow = false, screen = null }) {
    super();
    // follow: move to the series' current session whenever the server names another one;
    // `choose(series)` may pick another open session instead (a mission's phone, follow.js).
    this.follow = follow;
    this.choose = (series) => series.current_session_id;
    this.series = null;
    // screen: {id, kind}, this screen's own client id and kind, so the console can list it.
    this.screen = screen;
    this.sessionId = sessionId;
    this.token = token;
    this.lang = lang;
    this.messages = messages;
    this.badge = badge ? new Badge(badge, messages) : null;
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
    this.wokeAt = null;
    this.stopped = false;
    this.onOnline = () => {
      if (this.status !== "live" && this.status !== "fatal") this.reconnectNow();
    };
    this.onVisible = () => {
      if (document.visibilityState === "visible" && this.status === "live") this.checkAlive();
    };
  }

  /** Open the socket and keep it open until `stop()` or a fatal close. */
  start() {
    clock.onJump(() => {
      if (!this.stopped) this.woke();
    });
    window.addEventListener("online", this.onOnline);
    document.addEventListener("visibilitychange", this.onVisible);
    this.watchdog = window.setInterval(() => this.tick(), 500);
    this.resync = window.setInterval(() => this.startBurst(), RESYNC_EVERY_MS);
    this.open();
    this.paintBadge();
    return this;
  }

  stop() {
    this.stopped = true;
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
      const hello = { type: "hello", token: this.token, lang: this.lang };
      if (this.follow) hello.follow = true;
      if (this.screen) hello.screen = this.screen;
      ws.send(JSON.stringify(hello));
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
    const delay = retryDelayMs(this.attempt);
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
        break;
      case "pong":
        this.pong(frame);
        break;
      case "series":
        this.series = frame;
        this.dispatchEvent(new CustomEvent("series", { detail: frame }));
        if (this.follow) this.followSeries();
        break;
      case "identify":
      case "screen":
        this.dispatchEvent(new CustomEvent(frame.type, { detail: frame }));
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

  /** Move to the session the series' screens should show now (the server's answer, or the page's choice). */
  followSeries() {
    if (!this.series) return;
    const target = this.choose(this.series);
    if (target && target !== this.sessionId) this.switchSession(target);
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
      else this.reportClock();
    }
  }

  /** Tell the server what this screen's clock measured, for the console's list of screens. */
  reportClock() {
    if (!this.screen || !clock.synced) return;
    const args = { offset_ms: Math.round(clock.offset), rtt_ms: Math.round(clock.rtt) };
    this.send("screen.report", args).catch(() => {});
  }

  // -------------------------------------------------- liveness

  /**
   * The page's clock jumped (a laptop waking up, clock.js `look`): the offset is measured again at
   * once, and a socket that does not answer within a second and a half is replaced at once, with no
   * backoff; the jump itself is no silence of the server's.
   */
  woke() {
    this.lastHeard = clientNow();
    this.outstandingPing = null;
    if (this.status === "live") {
      this.wokeAt = clientNow();
      this.startBurst();
    } else if (this.status !== "fatal" && this.retryTimer !== null) {
      this.reconnectNow();
    }
  }

  tick() {
    clock.look();
    if (this.wokeAt != null && this.outstandingPing && clientNow() - this.outstandingPing.sentAt > WAKE_ANSWER_MS) {
      this.wokeAt = null;
      this.reconnectNow();
      return;
    }
    if (this.wokeAt != null && !this.outstandingPing) this.wokeAt = null;
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

  /** The "connection lost / reconnecting" badge (badge.js), if the page has one. */
  paintBadge() {
    if (this.badge) this.badge.paint(this);
  }
}

let opened = null;

/** Connect to a session and start; `badge` defaults to the page's #connection element. */
export function connect(options) {
  const badge = options.badge === undefined ? document.getElementById("connection") : options.badge;
  const live = new Live({ ...options, badge });
  live.start();
  opened = live;
  return live;
}

/**
 * The connection `connect()` opened on this page (null before): a hook for the browser tests,
 * which reach it with `(await import("/static/js/lib/socket.js")).pageLive()`. Screens use the
 * connection `connect()` returns and pass it on.
 */
export function pageLive() {
  return opened;
}

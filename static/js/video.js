// The pre-recorded statement of virtual and hybrid sessions, played in step on every screen
// that shows it (the room display and the remote viewers).
//
// The server says where the video is: `playback` = {status, speaker_id, position_ms, anchor,
// duration_ms}; while playing, its position at server time T is position_ms + (T - anchor).
// This module keeps the <video> element on that target, on the shared server clock of live.js:
//   - within 0.3 s: leave it alone (no visible correction for small jitter);
//   - up to 3 s off: play 5 % faster or slower (0.95 / 1.05) until it is back within 15 ms;
//   - further off (or on a new video, a seek, a late join, a resume): jump to the target.
// A jump lands late by the time the browser takes to seek; that time is learnt from each jump
// and aimed ahead of the next one. The server reads every video's length from its file; where
// it could not, the moderator's console (and no other screen: only the moderator may send
// `video.duration`) reads it in the browser and reports it, so the server can move on at its end.
// Browsers that refuse to play sound without a click get the video muted and a large Unmute button.

import { positionMs } from "./lib/arithmetic.js";
import { serverNow } from "./live.js";

export const DEAD_BAND_MS = 300;
export const SETTLED_MS = 15;
export const NUDGE_LIMIT_MS = 3000;
export const RATE_BEHIND = 1.05;
export const RATE_AHEAD = 0.95;
const TICK_MS = 200;
const PAUSED_TOLERANCE_MS = 20;
const SETTLE_PLAY_MS = 150;
const MAX_LEAD_MS = 1500;
const HAVE_METADATA = 1;
const HAVE_FUTURE_DATA = 3;

/** The server's position of `playback` at server time `t` (ms): the shared arithmetic (lib/arithmetic.js). */
export const targetMs = positionMs;

/**
 * What to do about `drift` (the video's position minus the target, ms) while playing:
 * {action: "none" | "rate" | "seek", rate}. `nudging` says a correction is under way, which
 * goes on until the video is within SETTLED_MS (a new one starts only beyond DEAD_BAND_MS).
 */
export function correction(drift, nudging) {
  const off = Math.abs(drift);
  if (off > NUDGE_LIMIT_MS) return { action: "seek", rate: 1 };
  if (off <= (nudging ? SETTLED_MS : DEAD_BAND_MS)) return { action: "none", rate: 1 };
  return { action: "rate", rate: drift < 0 ? RATE_BEHIND : RATE_AHEAD };
}

/** Keeps one <video> element in step with the session's `playback`. */
export class VideoSync {
  constructor({ slot, video, unmute, idle, live = null }) {
    this.slot = slot;
    this.video = video;
    this.unmuteButton = unmute;
    this.idle = idle;
    this.live = live;
    this.session = null;
    this.url = null; // the absolute URL loaded in the element
    this.segment = null; // what the last jump aimed at: a new one means a new jump
    this.realign = false;
    this.nudging = false;
    this.measureLead = false;
    this.leadMs = 0;
    this.jumpedTo = 0;
    this.starting = false;
    this.lastDrift = null;

    video.playsInline = true;
    video.preload = "auto";
    video.disablePictureInPicture = true;
    for (const type of ["loadedmetadata", "durationchange", "seeked", "canplay", "playing"]) {
      video.addEventListener(type, () => this.tick());
    }
    video.addEventListener("volumechange", () => this.paintUnmute());
    unmute.addEventListener("click", () => this.unmute());
    this.timer = window.setInterval(() => this.tick(), TICK_MS);
    document.addEventListener("visibilitychange", () => this.tick());
  }

  /** A new `session` from the server. */
  update(session, live) {
    if (live) this.live = live;
    this.session = session;
    const pb = session ? session.playback : null;
    const speaker = pb ? session.speakers.find((s) => s.id === pb.speaker_id) : null;
    const url = speaker && speaker.video ? new URL(speaker.video.url, location.href).href : null;
    if (!pb || !url) {
      this.stop();
      return;
    }
    this.slot.dataset.speaker = pb.speaker_id;
    this.idle.hidden = true;
    this.video.hidden = false;
    if (url !== this.url) {
      this.url = url;
      this.segment = null;
      this.video.src = url;
      this.video.load();
      this.mark(null, "loading");
    }
    const segment = `${pb.speaker_id}|${pb.status}|${pb.position_ms}|${pb.anchor}`;
    if (segment !== this.segment) {
      this.segment = segment;
      this.realign = true;
    }
    this.tick();
  }

  /** No video on: stop the element and say so. */
  stop() {
    this.segment = null;
    this.nudging = false;
    delete this.slot.dataset.speaker;
    this.slot.dataset.sync = "idle";
    if (!this.video.paused) this.video.pause();
    this.video.hidden = true;
    this.idle.hidden = false;
    this.paintUnmute();
  }

  playback() {
    const pb = this.session ? this.session.playback : null;
    return pb && this.url ? pb : null;
  }

  durationMs(pb) {
    if (pb.duration_ms != null) return pb.duration_ms;
    const d = this.video.duration;
    return Number.isFinite(d) && d > 0 ? d * 1000 : null;
  }

  /** Bring the element to where the server says it is; called on every state, event and tick. */
  tick() {
    const pb = this.playback();
    const v = this.video;
    if (!pb || v.readyState < HAVE_METADATA) return;
    const duration = this.durationMs(pb);
    const target = targetMs(pb, serverNow(), duration);
    if (pb.status === "paused") {
      this.nudging = false;
      this.measureLead = false;
      this.realign = false;
      if (v.playbackRate !== 1) v.playbackRate = 1;
      if (!v.paused) v.pause();
      if (!v.seeking && Math.abs(v.currentTime * 1000 - target) > PAUSED_TOLERANCE_MS) v.currentTime = target / 1000;
      this.mark(v.currentTime * 1000 - target, "paused");
      return;
    }
    if (v.seeking || this.starting) return;
    if (duration != null && target >= duration) {
      // The server is about to move on: let this one end where it is.
      if (v.playbackRate !== 1) v.playbackRate = 1;
      this.mark(v.currentTime * 1000 - target, "ended");
      return;
    }
    if (v.ended && !this.realign) {
      // The file ran out a moment before the server's end (lengths differ by a frame or two):
      // replaying it would start it again from 0.
      this.mark(v.currentTime * 1000 - target, "ended");
      return;
    }
    if (v.paused || v.ended) {
      this.realign = true;
      this.start();
      return;
    }
    if (v.readyState < HAVE_FUTURE_DATA) return; // buffering: its clock stands still, judge later
    const drift = v.currentTime * 1000 - target;
    if (this.measureLead) {
      // After a jump the clock stands still, then lurches, until the first frames play: judge it
      // once it has played a little.
      if (v.currentTime * 1000 < this.jumpedTo + SETTLE_PLAY_MS) {
        this.mark(drift, "seeking");
        return;
      }
      // The first moving reading after a jump says how late jumps land here; aim that far ahead next time.
      this.measureLead = false;
      this.leadMs = Math.min(MAX_LEAD_MS, Math.max(0, this.leadMs - drift / 2));
    }
    const todo = correction(drift, this.nudging);
    if (this.realign || todo.action === "seek") {
      this.jump(target);
      return;
    }
    if (todo.action === "rate") {
      this.nudging = true;
      if (v.playbackRate !== todo.rate) v.playbackRate = todo.rate;
      this.mark(drift, "nudging");
      return;
    }
    this.nudging = false;
    if (v.playbackRate !== 1) v.playbackRate = 1;
    this.mark(drift, "in-sync");
  }

  jump(target) {
    const v = this.video;
    this.realign = false;
    this.nudging = true; // what the jump misses is then taken in by the rate
    this.measureLead = true;
    if (v.playbackRate !== 1) v.playbackRate = 1;
    const duration = this.durationMs(this.playback());
    let to = target + this.leadMs;
    if (duration != null) to = Math.min(to, duration);
    v.currentTime = to / 1000;
    this.jumpedTo = to;
    // Too close to the end to watch it play a little: no lesson to learn from this jump.
    if (duration != null && to + SETTLE_PLAY_MS >= duration) this.measureLead = false;
    this.mark(v.currentTime * 1000 - target, "seeking");
  }

  /** Start playing: with sound if the browser allows it, else muted with the Unmute button. */
  async start() {
    const v = this.video;
    if (this.starting) return;
    this.starting = true;
    this.slot.dataset.sync = "starting";
    try {
      await v.play();
    } catch (err) {
      if (err && err.name === "NotAllowedError" && !v.muted) {
        v.muted = true;
        try {
          await v.play();
        } catch {
          /* not even muted: the next tick tries again */
        }
      }
    } finally {
      this.starting = false;
      this.paintUnmute();
    }
    this.tick();
  }

  unmute() {
    const v = this.video;
    v.muted = false;
    this.paintUnmute();
    const pb = this.playback();
    if (pb && pb.status === "playing" && v.paused) this.start();
  }

  paintUnmute() {
    const show = Boolean(this.playback()) && this.video.muted;
    if (this.unmuteButton.hidden === show) this.unmuteButton.hidden = !show;
  }

  mark(drift, sync) {
    this.lastDrift = drift;
    if (this.slot.dataset.sync !== sync) this.slot.dataset.sync = sync;
  }
}

/**
 * On the moderator's console only: the length of each attached video the server could not read
 * from its file, read by the browser from the file's metadata and reported once (`video.duration`).
 */
export class LengthReporter {
  constructor() {
    this.settled = new Set(); // speaker|url reported, or refused for good
    this.probes = new Map(); // speaker|url -> the <video> element reading it
  }

  update(session, live) {
    if (!session || !live || live.role !== "moderator") return;
    for (const sp of session.speakers) {
      if (!sp.video || sp.video.duration_ms != null) continue;
      const key = `${sp.id}|${sp.video.url}`;
      if (!this.settled.has(key) && !this.probes.has(key)) this.probe(live, sp.id, sp.video.url, key);
    }
  }

  probe(live, speakerId, url, key) {
    const el = document.createElement("video");
    el.muted = true;
    el.preload = "metadata";
    this.probes.set(key, el);
    const done = (settled) => {
      if (settled) this.settled.add(key);
      this.probes.delete(key);
      el.removeAttribute("src");
      el.load();
    };
    el.addEventListener("error", () => done(true), { once: true });
    el.addEventListener(
      "loadedmetadata",
      () => {
        const d = el.duration;
        if (!Number.isFinite(d) || d <= 0) return done(true); // the browser cannot tell either
        live.send("video.duration", { speaker_id: speakerId, duration_ms: Math.round(d * 1000) }).then(
          () => done(true),
          (err) => done(Boolean(err && err.code && err.code !== "unavailable" && err.code !== "rate_limited")),
        );
      },
      { once: true },
    );
    el.src = url;
  }
}

const lengths = new LengthReporter();
document.addEventListener("live:state", (ev) => lengths.update(ev.detail.session, ev.detail.live));

/** Wire the page's video slot to its live connection (the one board.js opened). */
function startVideo() {
  const slot = document.getElementById("video-slot");
  const video = document.getElementById("video");
  if (!slot || !video) return null;
  const sync = new VideoSync({
    slot,
    video,
    unmute: document.getElementById("unmute"),
    idle: document.getElementById("video-idle"),
    live: window.uprLive || null,
  });
  document.addEventListener("live:state", (ev) => sync.update(ev.detail.session, ev.detail.live));
  if (window.uprLive && window.uprLive.state) sync.update(window.uprLive.state, window.uprLive);
  else sync.stop();
  window.uprVideo = sync;
  return sync;
}

startVideo();

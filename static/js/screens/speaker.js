// The speaker's countdown: huge digits, amber at the warning, red and counting up
// in overtime, the cue in words, the moderator's message as a banner.

import { nextSessionText } from "../lib/between.js";
import { boot } from "../lib/boot.js";
import { everyFrame } from "../lib/clock.js";
import { countdownLevel, formatCountdown, remainingMs } from "../lib/countdown.js";
import { CueAnnouncer, warningWords } from "../lib/cues.js";
import { clockTime } from "../lib/dates.js";
import { attr, show, text } from "../lib/dom.js";
import { nextSpeakerOf } from "../lib/rules.js";
import { messageText, nextUp } from "../lib/upnext.js";

const { config, tr, words, connect } = boot();
const $ = (id) => document.getElementById(id);

const live = connect();
const announcer = new CueAnnouncer($("announcer"), {
  warning: (session) => warningWords(tr, session.timer.warning_ms),
  over: tr("time_up"),
});

function render(session) {
  text($("sur"), session.state_under_review ? tr("pre_session_of", { state: words.surName(session.state_under_review) }) : "");
  const message = session.message;
  show($("banner"), Boolean(message));
  const holder = words.holder(session);
  // Between sessions (a scheduled one): what comes next and who speaks first.
  const upcoming = !session.floor && session.phase === "scheduled";
  const first = upcoming ? nextSpeakerOf(session) : null;
  text($("holder"), session.floor ? holder.title : upcoming ? nextSessionText(tr, words, config, session) : "");
  text($("holder-details"), first ? tr("first_speaker", { name: words.speakerName(session, first) }) : holder.details.join(" · "));
  // A preset in the language of the speaker on the floor, else the page's.
  const lang = holder.speaker ? holder.speaker.language : config.lang;
  text($("banner"), message ? messageText(message, config.presets, lang, config.lang) : "");
  attr($("banner"), "lang", message && message.preset ? lang : null);
  attr($("banner"), "data-preset", message && message.preset ? message.preset : null);
  const next = nextUp(session);
  let nextWords = "";
  if (next && next.kind === "speaker") nextWords = tr("next_up", { name: words.speakerName(session, next.speaker) });
  else if (next) nextWords = tr("next_up", { name: tr("question_from", { state: words.stateName(next.entry.state) }) });
  text($("next-up"), nextWords);
}

function cueText(session, level, remaining) {
  if (session.phase === "closed") return tr("closed");
  // A scheduled session: the holder line already says what comes next and when (between.js).
  if (!session.floor) return session.phase === "scheduled" ? "" : tr("nobody");
  if (level === "over") return tr("time_up");
  if (level === "warning") return warningWords(tr, session.timer.warning_ms);
  if (session.timer.status === "paused") return tr("paused");
  if (session.timer.status === "idle" && remaining === session.timer.duration_ms) return tr("ready");
  return "";
}

live.addEventListener("state", (ev) => render(ev.detail));

everyFrame((now) => {
  const session = live.state;
  if (!session) return;
  const remaining = remainingMs(session.timer, now);
  const level = countdownLevel(session, remaining);
  const countdown = $("countdown");
  text(countdown, session.floor ? formatCountdown(remaining) : "");
  show(countdown.parentElement, Boolean(session.floor));
  attr(countdown, "data-level", level);
  attr(countdown, "data-remaining-ms", session.floor ? Math.round(remaining) : null);
  attr(countdown, "data-running", session.timer.status === "running" ? "true" : "false");
  const cue = $("cue");
  text(cue, cueText(session, level, remaining));
  attr(cue, "data-level", level);
  attr(document.body, "data-level", level);
  announcer.update(session, level);
  text($("time-of-day"), clockTime(now, config.lang, config.timezone));
});

// ---------------------------------------------------------------- full screen

const fullscreenButton = $("fullscreen");
function paintFullscreen() {
  text(fullscreenButton, document.fullscreenElement ? tr("exit_fullscreen") : tr("fullscreen"));
}
function toggleFullscreen() {
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  else document.documentElement.requestFullscreen().catch(() => {});
}
if (document.fullscreenEnabled) {
  fullscreenButton.addEventListener("click", toggleFullscreen);
  document.addEventListener("fullscreenchange", paintFullscreen);
} else {
  fullscreenButton.hidden = true;
}
document.addEventListener("keydown", (ev) => {
  if (ev.key.toLowerCase() === "f" && !ev.ctrlKey && !ev.metaKey && !ev.altKey && document.fullscreenEnabled) {
    ev.preventDefault();
    toggleFullscreen();
  }
});

// ---------------------------------------------------------------- wake lock

const wakeButton = $("wakelock");
let wakeLock = null;
let wakeWanted = true;

function paintWake() {
  attr(wakeButton, "aria-pressed", wakeLock ? "true" : "false");
  text(wakeButton, wakeLock ? tr("wake_on") : tr("wake_off"));
}

async function acquireWake() {
  if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
  try {
    wakeLock = await navigator.wakeLock.request("screen");
    wakeLock.addEventListener("release", () => {
      wakeLock = null;
      paintWake();
    });
  } catch {
    wakeLock = null;
  }
  paintWake();
}

if ("wakeLock" in navigator) {
  wakeButton.addEventListener("click", () => {
    if (wakeLock) {
      wakeWanted = false;
      wakeLock.release().catch(() => {});
    } else {
      wakeWanted = true;
      acquireWake();
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (wakeWanted && !wakeLock && document.visibilityState === "visible") acquireWake();
  });
  acquireWake();
} else {
  wakeButton.hidden = true;
  wakeButton.title = tr("wake_unavailable");
}

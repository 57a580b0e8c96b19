// The console's playlist of pre-recorded statements (virtual and hybrid sessions): each
// speaker with the length of their video (or none yet), what plays now and where, a position
// slider, skip and stop; once the last video has been shown, an offer to open the questions.
// The console starts it with its live connection (`startPlaylist(live)`) and it follows its states.

import { everyFrame } from "./clock.js";
import { pageConfig } from "./config.js";
import { formatDuration } from "./countdown.js";
import { attr, h, reconcile, show, text } from "./dom.js";
import { fill } from "./i18n.js";
import { upcoming } from "./rules.js";
import { targetMs } from "./video.js";

const $ = (id) => document.getElementById(id);
let panel = null;
let words = {};
let common = {};
const say = (key, params = {}) => fill(words[key] ?? common[key] ?? key, params);

let seeking = false; // the moderator is dragging the slider: do not move it under their hand

let connection = null;
const live = () => connection;
const session = () => (live() ? live().state : null);

/** Send a command; a refusal shows the server's sentence in the panel. */
async function run(name, args = {}) {
  const l = live();
  if (!l) return null;
  try {
    const ack = await l.send(name, args);
    show($("playlist-error"), false);
    return ack;
  } catch (err) {
    text($("playlist-error"), err.message);
    show($("playlist-error"), true);
    return null;
  }
}

// Speakers whose video is ready and who are still waiting: what the server will play next (lib/rules.js).
export { upcoming };

/** True once every video has been shown: the moment to offer the questions. */
export function sequenceOver(s) {
  if (s.playback || !(s.phase === "opening" || s.phase === "statements")) return false;
  const withVideo = s.speakers.filter((sp) => sp.video);
  return withVideo.length > 0 && upcoming(s).length === 0 && withVideo.some((sp) => sp.status === "done");
}

/** A button's words; its key (`<kbd>`, from web/keys.py) stays. */
function label(button, words) {
  text(button.querySelector(".label") || button, words);
}

function row() {
  return h(
    "tr",
    {},
    h("td", { class: "num" }),
    h("td", { class: "who" }),
    h("td", { class: "length" }),
    h("td", { class: "state" }),
    h("td", { class: "actions" }, h("button", { type: "button", class: "play", text: say("play") })),
  );
}

function statusOf(s, sp) {
  const pb = s.playback;
  if (pb && pb.speaker_id === sp.id) return pb.status === "playing" ? say("now_playing") : say("now_paused");
  return say(`status_${sp.status}`);
}

function render(s) {
  if (!panel) return;
  show(panel, s.format !== "in_person");
  if (s.format === "in_person") return;
  const pb = s.playback;
  reconcile($("playlist"), s.speakers, (sp) => sp.id, row, (tr, sp, index) => {
    const [num, who, length, state, actions] = tr.children;
    text(num, index + 1);
    text(who, sp.name || say("speaker_n", { n: index + 1 }));
    if (!sp.video) text(length, say("no_video"));
    else text(length, sp.video.duration_ms == null ? say("length_unknown") : formatDuration(sp.video.duration_ms));
    attr(tr, "data-video", sp.video ? "yes" : "no");
    text(state, statusOf(s, sp));
    attr(tr, "data-status", sp.status);
    attr(tr, "aria-current", pb && pb.speaker_id === sp.id ? "true" : null);
    const play = actions.firstElementChild;
    play.dataset.id = sp.id;
    attr(play, "aria-label", say("play_of", { name: sp.name }));
    show(play, Boolean(sp.video));
    play.disabled = s.phase === "closed" || s.phase === "scheduled";
  });

  const on = Boolean(pb);
  show($("playlist-now"), on);
  $("playlist-toggle").disabled = !on;
  $("playlist-skip").disabled = !on || upcoming(s).filter((sp) => !pb || sp.id !== pb.speaker_id).length === 0;
  $("playlist-stop").disabled = !on;
  label($("playlist-toggle"), pb && pb.status === "playing" ? say("pause") : say("resume"));
  attr($("playlist-toggle"), "aria-pressed", pb && pb.status === "playing" ? "true" : "false");
  const next = upcoming(s)[0];
  show($("playlist-start"), !on && Boolean(next) && pageConfig().rules.open_phases.includes(s.phase));
  if (next) {
    $("playlist-start").dataset.id = next.id;
    label($("playlist-start"), say("start_with", { name: next.name }));
  }
  show($("playlist-over"), sequenceOver(s));
}

function draw(s, now) {
  const pb = s.playback;
  if (!pb) return;
  const duration = pb.duration_ms;
  const position = targetMs(pb, now, duration);
  const slider = $("playlist-position");
  slider.max = String(duration ?? Math.max(position, 1));
  if (!seeking) slider.value = String(Math.round(position));
  slider.disabled = duration == null;
  const label = `${formatDuration(seeking ? Number(slider.value) : position)} / ${duration == null ? "—" : formatDuration(duration)}`;
  text($("playlist-clock"), label);
  attr(slider, "aria-valuetext", label);
  const sp = s.speakers.find((x) => x.id === pb.speaker_id);
  text($("playlist-title"), sp ? sp.name : "");
}

function wire() {
  $("playlist").addEventListener("click", (ev) => {
    const b = ev.target.closest("button.play");
    if (b) run("playback.play", { speaker_id: b.dataset.id });
  });
  $("playlist-start").addEventListener("click", (ev) => run("playback.play", { speaker_id: ev.currentTarget.dataset.id }));
  $("playlist-toggle").addEventListener("click", () => {
    const s = session();
    if (!s || !s.playback) return;
    run(s.playback.status === "playing" ? "playback.pause" : "playback.play");
  });
  $("playlist-skip").addEventListener("click", () => run("playback.skip"));
  $("playlist-stop").addEventListener("click", () => run("playback.stop"));
  $("playlist-qa").addEventListener("click", () => run("session.qa"));
  const slider = $("playlist-position");
  slider.addEventListener("input", () => {
    seeking = true;
  });
  slider.addEventListener("change", async () => {
    await run("playback.seek", { position_ms: Math.round(Number(slider.value)) });
    seeking = false;
  });
  slider.addEventListener("blur", () => {
    seeking = false;
  });
}

/** Run the page's playlist panel (#playlist-panel; none: nothing) on the console's connection `conn`. */
export function startPlaylist(conn) {
  panel = document.getElementById("playlist-panel");
  if (!panel) return;
  words = JSON.parse(panel.dataset.strings || "{}");
  common = pageConfig("strings");
  connection = conn;
  wire();
  conn.addEventListener("state", (ev) => render(ev.detail));
  if (session()) render(session());
  everyFrame((now) => {
    const s = session();
    if (s && s.format !== "in_person") draw(s, now);
  });
}

// The moderator's console: every command of the contract one click (or one key) away,
// the panel with allotted and spoken time, the queue with topics, the clock of the hour.

import { boot } from "../lib/boot.js";
import { everyFrame, serverNow } from "../lib/clock.js";
import { countdownLevel, formatCountdown, formatDuration, projectedEndAt, remainingMs, spokenMs } from "../lib/countdown.js";
import { CueAnnouncer, warningWords } from "../lib/cues.js";
import { clockDate, clockTime, dayOf } from "../lib/dates.js";
import { attr, h, reconcile, show, text } from "../lib/dom.js";
import { fill } from "../lib/i18n.js";
import { keyAction, keyLabel } from "../lib/keys.js";
import { startPlaylist } from "../lib/playlist.js";
import { startScreensPanel } from "../lib/screens_panel.js";
import { nextQuestionOf, nextSpeakerOf, upcoming } from "../lib/rules.js";
import { takeToken } from "../lib/token.js";
import { reportLengths, targetMs } from "../lib/video.js";

const { config, tr, words, connect } = boot();
const $ = (id) => document.getElementById(id);
// A time of another day than today (or than `day`) comes with its date.
const time = (ms, seconds = false, day = undefined) => clockTime(ms, config.lang, config.timezone, seconds, day);
const TOKEN_KEY = `upr-moderator-token:${config.series_id}`;
const TOAST_MS = 8000;

// ---------------------------------------------------------------- the token

// The token arrives in the fragment (#token=…), which browsers never send to the server;
// it is kept in this tab's sessionStorage and the fragment is wiped from the address bar.

function askForToken(error) {
  show($("auth"), true);
  show($("main"), false);
  show($("auth-error"), Boolean(error));
  text($("auth-error"), error || "");
  $("token-input").focus();
}

$("auth-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const value = $("token-input").value.trim();
  if (!value) return;
  sessionStorage.setItem(TOKEN_KEY, value);
  location.reload();
});

const token = takeToken(TOKEN_KEY);
if (token) {
  const cards = $("cards-link"); // its href is the server's (moderator/web/urls.py); the token rides in the fragment
  cards.href = `${cards.getAttribute("href")}#token=${encodeURIComponent(token)}`;
}

// ---------------------------------------------------------------- toasts

function toast(message, kind = "error") {
  const item = h(
    "div",
    { class: `toast ${kind}` },
    h("p", { text: message }),
    h("button", { type: "button", class: "quiet", text: tr("dismiss"), on: { click: () => item.remove() } }),
  );
  $("toasts").append(item);
  window.setTimeout(() => item.remove(), TOAST_MS);
}

// ---------------------------------------------------------------- commands

let live = null;

/** Send a command; a refusal shows the server's own sentence as a toast. */
async function run(name, args = {}) {
  if (!live) return null;
  try {
    return await live.send(name, args);
  } catch (err) {
    toast(err.message);
    return null;
  }
}

const session = () => (live ? live.state : null);

function toggleTimer() {
  const s = session();
  if (!s) return;
  run(s.timer.status === "running" ? "timer.pause" : "timer.start");
}

function finishFloor() {
  const s = session();
  if (!s) return;
  if (!s.floor) toast(tr("nobody_on_floor"));
  else if (s.floor.kind === "speaker" || s.floor.kind === "sur") run("speaker.finish");
  else run("queue.done", { entry_id: s.floor.id });
}

/** N: the next waiting speaker; in a virtual or hybrid session, their video when they have one. */
function nextSpeaker() {
  const s = session();
  if (!s) return;
  const next = nextSpeakerOf(s);
  if (!next) {
    toast(tr(s.format !== "in_person" && s.playback ? "no_video_waiting" : "no_waiting_speaker"));
    return;
  }
  const video = s.format !== "in_person" ? upcoming(s).find((sp) => sp.id === next.id) : null;
  if (video) run("playback.play", { speaker_id: next.id });
  else run("speaker.call", { speaker_id: next.id });
}

function skipNext() {
  const s = session();
  if (!s) return;
  const next = nextSpeakerOf(s);
  if (next) run("speaker.skip", { speaker_id: next.id });
  else toast(tr("no_waiting_speaker"));
}

function nextQuestion() {
  const s = session();
  if (!s) return;
  const next = nextQuestionOf(s);
  if (next) run("queue.call", { entry_id: next.id });
  else toast(tr("no_waiting_entry"));
}

function removeFirst() {
  const s = session();
  if (!s) return;
  const first = nextQuestionOf(s);
  if (first) run("queue.remove", { entry_id: first.id });
  else toast(tr("no_waiting_entry"));
}

function undo() {
  const s = session();
  if (!s) return;
  if (!s.undo) toast(tr("nothing_to_undo"));
  else run("undo");
}

/** Space: the video when one is on (its countdown follows it), else the timer. */
function toggleFloor() {
  const s = session();
  if (!s) return;
  if (s.playback) run(s.playback.status === "playing" ? "playback.pause" : "playback.play");
  else toggleTimer();
}

function seekBy(delta) {
  const s = session();
  if (!s || !s.playback) {
    toast(tr("no_video_on"));
    return;
  }
  const target = playbackPosition(s, serverNow()) + delta;
  run("playback.seek", { position_ms: Math.max(0, Math.round(target)) });
}

function playbackPosition(s, now) {
  return s.playback ? targetMs(s.playback, now) : 0;
}

/** A preset message to the speaker, in the language of the speaker on the floor (else the console's). */
function showPreset(id) {
  const s = session();
  if (!s) return;
  const holder = words.holder(s);
  const lang = holder && holder.speaker ? holder.speaker.language : config.lang;
  const presets = config.presets || {};
  const phrase = (presets[lang] || presets[config.lang] || {})[id];
  if (phrase) run("message.show", { text: phrase, to: "speaker", preset: id });
}

function toggleHelp() {
  const help = $("keys-help");
  if (help.open) help.close();
  else help.showModal();
}

// Every action of the console, by the name web/keys.py gives it a key under.
const ACTIONS = {
  "timer.toggle": toggleFloor,
  "timer.minus": () => run("timer.adjust", { delta_ms: -60000 }),
  "timer.plus": () => run("timer.adjust", { delta_ms: 60000 }),
  "timer.reset": () => run("timer.reset"),
  "floor.finish": finishFloor,
  undo,
  "speaker.next": nextSpeaker,
  "speaker.skip": skipNext,
  "queue.next": nextQuestion,
  "queue.remove": removeFirst,
  "session.open": () => run("session.open"),
  "session.statements": () => run("session.statements"),
  "session.qa": () => run("session.qa"),
  "session.close": () => $("close-dialog").showModal(),
  "message.write": () => $("message-text").focus(),
  "message.clear": () => run("message.clear"),
  "video.back": () => seekBy(-10000),
  "video.forward": () => seekBy(10000),
  help: toggleHelp,
  screens: () => $("screens-open").click(), // lib/screens_panel.js opens its dialog
};
for (const id of Object.keys(config.presets[config.lang] || {})) ACTIONS[`preset.${id}`] = () => showPreset(id);
$("call-sur").addEventListener("click", () => run("sur.call"));

// The buttons the template built carry their action (data-action); the rows' buttons have their own.
document.addEventListener("click", (ev) => {
  const button = ev.target.closest("button[data-action]");
  if (!button || button.closest("#speakers, #queue")) return;
  const action = ACTIONS[button.dataset.action];
  if (action) action();
});

$("close-dialog").addEventListener("close", () => {
  if ($("close-dialog").returnValue === "close") run("session.close");
});

$("message-text").addEventListener("input", () => {
  text($("message-count"), tr("chars_left", { n: config.rules.message_max - Array.from($("message-text").value).length }));
});
$("message-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const textValue = $("message-text").value.trim();
  if (!textValue) {
    $("message-text").focus();
    return;
  }
  const to = new FormData($("message-form")).get("to") || "speaker";
  const ack = await run("message.show", { text: textValue, to, pinned: $("message-pinned").checked });
  if (ack) {
    $("message-text").value = "";
    $("message-pinned").checked = false;
    $("message-text").dispatchEvent(new Event("input"));
    // The message is out: the keyboard goes back to the shortcuts (Space, N, Q…).
    if ($("message-form").contains(document.activeElement)) document.activeElement.blur();
  }
});

const picker = $("session-picker");
if (picker) {
  picker.addEventListener("change", () => {
    location.href = fill(config.urls.console, { session_id: encodeURIComponent(picker.value) }) + location.search;
  });
}

$("report").addEventListener("click", async () => {
  const current = sessionStorage.getItem(TOKEN_KEY);
  try {
    const response = await fetch(`${fill(config.urls.report, { session_id: encodeURIComponent(config.session_id) })}?format=csv`, {
      headers: { Authorization: `Bearer ${current}` },
      cache: "no-store",
    });
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    const blob = await response.blob();
    const link = h("a", { href: URL.createObjectURL(blob), download: `report-${config.session_key || config.session_id}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(link.href);
  } catch (err) {
    toast(tr("report_failed", { reason: err.message }));
  }
});

// ---------------------------------------------------------------- keyboard

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

const modalOpen = () => $("close-dialog").open || $("keys-help").open;

document.addEventListener("keydown", (ev) => {
  // Escape leaves any field, so that the keys work again (a dialog handles its own Escape).
  if (ev.key === "Escape" && typing(ev.target) && !modalOpen()) {
    ev.target.blur();
    return;
  }
  if (typing(ev.target)) return;
  const action = keyAction(config.keys, ev);
  if (!action || action === "escape") return;
  // In the list of keys, only "?" (closing it) works; in the closing dialog, none.
  if ($("close-dialog").open || ($("keys-help").open && action !== "help")) return;
  const run = ACTIONS[action];
  if (!run) return;
  // Space belongs to the timer, even when a button has the focus (Enter still presses buttons).
  ev.preventDefault();
  if (!ev.repeat) run();
});
document.addEventListener("keyup", (ev) => {
  if (ev.key === " " && !typing(ev.target)) ev.preventDefault();
});

/** A button's words, leaving its key (`<kbd>`) as it is. */
function label(button, words) {
  const span = button.querySelector(".label");
  text(span || button, words);
}

/** A row's button with its words and, when it is the one its key acts on, the key. */
function rowButton(cls, words) {
  return h("button", { type: "button", class: cls }, h("span", { class: "label", text: words }), h("kbd", { class: "key", "aria-hidden": "true", "data-off": "true" }));
}

function keyOn(button, action) {
  // A key not on this row keeps its room in the queue (its rows stay aligned), not in the panel.
  const kbd = button.querySelector("kbd");
  text(kbd, keyLabel(config.keys, action || (button.classList.contains("remove") ? "queue.remove" : "queue.next")));
  attr(kbd, "data-off", action ? null : "true");
  attr(button, "aria-keyshortcuts", action ? config.keys.find((k) => k.action === action).shortcut : null);
}

// ---------------------------------------------------------------- rendering

/** Give each cell of a new row its column's heading, shown beside it on narrow screens. */
function labelled(row, table) {
  const heads = table.querySelectorAll("thead th");
  Array.from(row.children).forEach((cell, i) => {
    if (heads[i]) cell.dataset.label = heads[i].textContent;
  });
  return row;
}

function speakerRow() {
  const actions = h(
    "td",
    { class: "actions" },
    h(
      "div",
      {},
      rowButton("call", tr("call")),
      rowButton("skip", tr("skip")),
      rowButton("play", tr("play_video")),
    ),
  );
  const row = h(
    "tr",
    {},
    h("td", { class: "num" }),
    h("td", { class: "who" }, h("strong"), h("span", { class: "public" }), h("span", { class: "details" })),
    h("td", { class: "allotted" }),
    h("td", { class: "spoken" }),
    h("td", { class: "status" }),
    actions,
  );
  return labelled(row, $("speakers").closest("table"));
}

function renderSpeakers(s) {
  // The keys act on the next waiting speaker: their buttons show them (N, K).
  const next = nextSpeakerOf(s);
  const nextVideo = next && s.format !== "in_person" && next.video;
  reconcile($("speakers"), s.speakers, (sp) => sp.id, speakerRow, (row, sp, index) => {
    const [num, who, allotted, spoken, status, actions] = row.children;
    const name = words.speakerName(s, sp);
    text(num, index + 1);
    text(who.children[0], name);
    let publicNote = "";
    if (sp.public_name) publicNote = tr("shown_as", { name: sp.public_name });
    else if (sp.publish === false) publicNote = tr("not_published");
    text(who.children[1], publicNote);
    text(who.children[2], [sp.organisation, sp.theme, words.language(sp.language)].filter(Boolean).join(" · "));
    text(allotted, formatDuration(sp.allotted_ms));
    spoken.dataset.base = sp.spoken_ms;
    text(status, tr(`status_${sp.status}`));
    attr(row, "data-status", sp.status);
    attr(row, "aria-current", s.floor && s.floor.kind === "speaker" && s.floor.id === sp.id ? "true" : null);
    const [call, skip, play] = actions.firstElementChild.children;
    call.dataset.id = sp.id;
    skip.dataset.id = sp.id;
    play.dataset.id = sp.id;
    attr(call, "aria-label", tr("call_speaker", { name }));
    attr(skip, "aria-label", tr("skip_speaker", { name }));
    attr(play, "aria-label", tr("play_video_of", { name }));
    show(skip, sp.status === "waiting");
    show(play, s.format !== "in_person" && Boolean(sp.video));
    const onFloor = s.floor && s.floor.kind === "speaker" && s.floor.id === sp.id;
    call.disabled = s.phase === "scheduled" || s.phase === "closed" || Boolean(onFloor);
    play.disabled = s.phase === "scheduled" || s.phase === "closed";
    const isNext = next && next.id === sp.id;
    keyOn(call, isNext && !nextVideo ? "speaker.next" : null);
    keyOn(play, isNext && nextVideo ? "speaker.next" : null);
    keyOn(skip, isNext ? "speaker.skip" : null);
  });
}

/** The State under Review's opening statement, when the agenda gives it a slot: its button and its line. */
function renderStatement(s) {
  const statement = s.sur_statement;
  const state = words.surName(s.state_under_review);
  const what = tr("sur_statement", { state });
  show($("call-sur"), Boolean(statement));
  show($("sur-statement"), Boolean(statement));
  $("call-sur").disabled = true;
  if (!statement) return;
  text($("call-sur"), what);
  attr($("call-sur"), "aria-label", tr("sur_statement_call", { state }));
  const onFloor = Boolean(s.floor && s.floor.kind === "sur");
  // The phases come from the server's rules (core/rules.py SUR_STATEMENT_PHASES), never re-typed.
  $("call-sur").disabled = onFloor || !config.rules.sur_statement_phases.includes(s.phase);
  let status = tr(`status_${statement.status}`);
  if (statement.status === "done") status += ` · ${tr("sur_statement_spoken", { time: formatDuration(statement.spoken_ms) })}`;
  text($("sur-statement"), tr("sur_statement_line", { what, allotted: formatDuration(statement.allotted_ms), status }));
  attr($("sur-statement"), "data-status", statement.status);
  attr($("sur-statement"), "aria-current", onFloor ? "true" : null);
}

function entryRow() {
  const row = h(
    "tr",
    {},
    h("td", { class: "num" }),
    h("th", { scope: "row", class: "state" }),
    h("td", { class: "to" }),
    h("td", { class: "topic" }),
    h("td", { class: "asked" }),
    h(
      "td",
      { class: "actions" },
      h(
        "div",
        {},
        rowButton("call", tr("call")),
        rowButton("done", tr("done")),
        h("button", { type: "button", class: "up", text: "↑" }),
        h("button", { type: "button", class: "down", text: "↓" }),
        rowButton("remove", tr("remove")),
      ),
    ),
  );
  return labelled(row, $("queue").closest("table"));
}

function renderQueue(s) {
  const first = nextQuestionOf(s); // what Q and Del act on
  reconcile($("queue"), s.queue, (e) => e.id, entryRow, (row, e, index) => {
    const [num, state, to, topic, asked, actions] = row.children;
    const stateName = words.stateName(e.state);
    text(num, index + 1);
    text(state, stateName);
    const speaker = e.addressed_to ? words.speakerById(s, e.addressed_to) : null;
    text(to, speaker ? words.speakerName(s, speaker) : "");
    text(topic, e.topic || "");
    // On a laptop the addressee leads the topic's line (console.css), not a column of its own.
    attr(topic, "data-to", speaker ? tr("addressed_to", { name: words.speakerName(s, speaker) }) : null);
    text(asked, time(e.requested_at));
    attr(row, "data-status", e.status);
    attr(row, "aria-current", e.status === "on_floor" ? "true" : null);
    const [call, done, up, down, remove] = actions.firstElementChild.children;
    for (const b of actions.firstElementChild.children) b.dataset.id = e.id;
    up.dataset.position = Math.max(0, index - 1);
    down.dataset.position = Math.min(s.queue.length - 1, index + 1);
    attr(call, "aria-label", tr("call_entry", { state: stateName }));
    attr(done, "aria-label", tr("done_entry", { state: stateName }));
    attr(remove, "aria-label", tr("remove_entry", { state: stateName }));
    attr(up, "aria-label", tr("up_entry", { state: stateName }));
    attr(down, "aria-label", tr("down_entry", { state: stateName }));
    show(call, e.status === "waiting");
    show(done, e.status === "on_floor");
    call.disabled = s.phase !== "qa"; // questions are called in questions and answers only
    up.disabled = index === 0;
    down.disabled = index === s.queue.length - 1;
    const isFirst = first && first.id === e.id;
    keyOn(call, isFirst ? "queue.next" : null);
    keyOn(remove, isFirst ? "queue.remove" : null);
  });
  show($("queue-empty"), s.queue.length === 0);
  text($("queue-empty"), words.emptyQueue(s));
}

$("speakers").addEventListener("click", (ev) => {
  const b = ev.target.closest("button");
  if (!b) return;
  if (b.classList.contains("call")) run("speaker.call", { speaker_id: b.dataset.id });
  else if (b.classList.contains("skip")) run("speaker.skip", { speaker_id: b.dataset.id });
  else if (b.classList.contains("play")) run("playback.play", { speaker_id: b.dataset.id });
});

$("queue").addEventListener("click", (ev) => {
  const b = ev.target.closest("button");
  if (!b) return;
  const entry_id = b.dataset.id;
  if (b.classList.contains("call")) run("queue.call", { entry_id });
  else if (b.classList.contains("done")) run("queue.done", { entry_id });
  else if (b.classList.contains("remove")) run("queue.remove", { entry_id });
  else if (b.classList.contains("up") || b.classList.contains("down")) {
    run("queue.move", { entry_id, position: Number(b.dataset.position) });
  }
});

function render(s) {
  text($("sur"), tr("pre_session_of", { state: words.stateName(s.state_under_review) }));
  text($("phase"), words.phase(s.phase));
  attr($("phase"), "data-phase", s.phase);
  attr(document.body, "data-phase", s.phase);
  const enabled = {
    "session.open": s.phase === "scheduled",
    "session.statements": s.phase === "opening",
    "session.qa": s.phase === "opening" || s.phase === "statements",
  };
  for (const b of document.querySelectorAll(".phases button[data-phase-command]")) {
    b.disabled = !enabled[b.dataset.phaseCommand];
    b.classList.toggle("current-step", Boolean(enabled[b.dataset.phaseCommand]));
  }
  $("close-session").disabled = s.phase === "closed";

  const holder = words.holder(s);
  text($("holder"), holder.title);
  text($("holder-details"), holder.details.concat(holder.entry && holder.entry.topic ? [holder.entry.topic] : []).join(" · "));
  // While a video is on, this one button (Space) pauses and resumes it: the console's one set of
  // video controls (the playlist keeps the position, back, forward, skip and stop).
  const pb = s.playback;
  if (pb) label($("toggle-timer"), pb.status === "playing" ? tr("pause_video") : tr("resume_video"));
  else label($("toggle-timer"), s.timer.status === "running" ? tr("pause") : s.timer.status === "paused" ? tr("resume") : tr("start"));
  attr($("toggle-timer"), "aria-pressed", (pb ? pb.status === "playing" : s.timer.status === "running") ? "true" : "false");

  const message = s.message;
  text(
    $("message-current"),
    message
      ? tr(message.to === "room" ? "message_shown_room" : "message_shown_speaker", { text: message.text }) +
          (message.pinned ? " " + tr("message_kept") : "")
      : tr("message_none"),
  );
  attr($("message-current"), "data-active", message ? "true" : null);

  show($("playback"), s.format !== "in_person");
  renderUndo(s);
  renderStatement(s);
  renderSpeakers(s);
  renderQueue(s);
  disableWhatCannotAct(s);
}

/**
 * Disable (and so dim) every control that cannot act in this state, from the state's plain facts
 * only: who has the floor, whether a video or the timer runs, the phase. decide.py stays the judge:
 * a keyboard shortcut still asks the server, and a refusal shows its sentence.
 */
function disableWhatCannotAct(s) {
  const closed = s.phase === "closed";
  const calling = !closed && s.phase !== "scheduled"; // speakers may be called from the opening on
  const timer = Boolean(s.floor) && !s.playback && !closed; // the timer follows a video while one is on
  $("toggle-timer").disabled = !(s.floor && !closed); // the timer, or the video when one is on
  for (const b of document.querySelectorAll(".timer-buttons button[data-action]:not(#toggle-timer, #finish)")) {
    const delta = Number(b.dataset.delta || 0);
    let can = timer;
    if (b.dataset.action === "timer.reset") can = timer && s.timer.status !== "idle";
    else if (delta < 0) can = timer && s.timer.duration_ms + delta >= 0;
    b.disabled = !can;
  }
  $("finish").disabled = !s.floor || closed;
  $("next-speaker").disabled = !calling || !nextSpeakerOf(s);
  $("next-question").disabled = s.phase !== "qa" || !nextQuestionOf(s);
  // Closed: nothing can change any more (the report stays available).
  for (const el of $("message-form").querySelectorAll("button, input")) el.disabled = closed;
  for (const b of document.querySelectorAll("#speakers button, #queue button")) if (closed) b.disabled = true;
  $("clear-message").disabled = closed || !s.message;
  for (const b of document.querySelectorAll("button[data-seek]")) b.disabled = !s.playback;
}

const UNDO_WORDS = { finish: "undo_finish", done: "undo_done", remove: "undo_remove", skip: "undo_skip" };

/** "Undo Finish: Anna Petrosyan" while the server says it can be (`undo`; until its `until`). */
function renderUndo(s) {
  const u = s.undo;
  const button = $("undo");
  let name = "";
  if (u && (u.what === "finish" || u.what === "skip")) {
    const sp = words.speakerById(s, u.id);
    name = sp ? words.speakerName(s, sp) : "";
  } else if (u && u.state) {
    name = words.stateName(u.state);
  }
  label(button, u ? tr(UNDO_WORDS[u.what], { name }) : tr("undo"));
  button.dataset.until = u ? String(u.until) : "";
  button.disabled = !u || s.phase === "closed";
}

function drawClock(s, now) {
  text($("clock-now"), time(now, true, now));
  // One date for the range, after it, when the session is not today's.
  const range = `${time(s.start, false, s.start)} – ${time(s.planned_end, false, s.start)}`;
  const startDay = dayOf(s.start, config.timezone) !== dayOf(now, config.timezone);
  text($("clock-scheduled"), startDay ? `${range} (${clockDate(s.start, config.lang, config.timezone, now)})` : range);
  text($("clock-started"), s.started_at ? time(s.started_at) : "—");
  text($("clock-planned"), time(s.planned_end));
  const projected = projectedEndAt(s, live.frameTime, now);
  text($("clock-projected"), projected == null ? "—" : time(projected));
  const balanceEl = $("clock-balance");
  if (projected == null) {
    text(balanceEl, "—");
    attr(balanceEl, "data-balance", "none");
    attr(balanceEl, "data-other-day", null);
    return;
  }
  const diff = projected - s.planned_end;
  const minutes = Math.round(Math.abs(diff) / 60000);
  const amount =
    minutes >= 60 ? tr("hours_minutes", { h: Math.floor(minutes / 60), m: minutes % 60 }) : tr("minutes", { n: minutes });
  let balance = "on_time";
  let label = tr("on_time");
  // Measured from a planned end of another day, the amount says which day.
  const otherDay = dayOf(s.planned_end, config.timezone) !== dayOf(now, config.timezone);
  const params = { time: amount, date: otherDay ? clockDate(s.planned_end, config.lang, config.timezone, now) : "" };
  if (minutes >= 1 && diff > 0) {
    balance = "over";
    label = tr(otherDay ? "over_by_date" : "over_by", params);
  } else if (minutes >= 1 && (s.phase === "opening" || s.phase === "statements")) {
    // Before the questions, a projection short of the planned end is not "early": the rest of the
    // hour is the missions' (projected_end counts only the questions already asked).
    balance = "questions";
    label = tr(otherDay ? "questions_left_date" : "questions_left", params);
  } else if (minutes >= 1) {
    balance = "under";
    label = tr(otherDay ? "under_by_date" : "under_by", params);
  }
  text(balanceEl, label);
  attr(balanceEl, "data-balance", balance);
  attr(balanceEl, "data-other-day", otherDay && balance !== "on_time" ? "true" : null);
}

// ---------------------------------------------------------------- start

if (!token) {
  askForToken("");
} else {
  live = connect(token);
  const announcer = new CueAnnouncer($("announcer"), {
    warning: (s) => warningWords(tr, s.timer.warning_ms),
    over: tr("time_up"),
  });
  live.addEventListener("state", (ev) => render(ev.detail));
  startPlaylist(live);
  reportLengths(live);
  startScreensPanel(live, config);
  live.addEventListener("notice", (ev) => toast(ev.detail.message));
  live.addEventListener("fatal", (ev) => {
    if (ev.detail === 4401) {
      sessionStorage.removeItem(TOKEN_KEY);
      askForToken(tr("token_refused"));
    }
  });
  live.addEventListener("welcome", (ev) => {
    if (ev.detail.role !== "moderator") {
      live.stop();
      sessionStorage.removeItem(TOKEN_KEY);
      askForToken(tr("token_refused"));
    }
  });
  everyFrame((now) => {
    const s = live.state;
    if (!s) return;
    const remaining = remainingMs(s.timer, now);
    const level = countdownLevel(s, remaining);
    text($("countdown"), s.floor ? formatCountdown(remaining) : "");
    show($("countdown").parentElement, Boolean(s.floor));
    attr($("countdown"), "data-level", level);
    attr($("countdown"), "data-remaining-ms", s.floor ? Math.round(remaining) : null);
    let cue = "";
    if (level === "over") cue = tr("time_up");
    else if (level === "warning") cue = warningWords(tr, s.timer.warning_ms);
    else if (s.floor && s.timer.status === "paused") cue = tr("paused");
    text($("cue"), cue);
    attr($("cue"), "data-level", level);
    announcer.update(s, level);
    // Spoken time: the runs already ended plus the one under way (PROTOCOL §3.2).
    for (const row of $("speakers").children) {
      const cell = row.children[3];
      const speaking = Boolean(s.floor && s.floor.kind === "speaker" && s.floor.id === row.dataset.key);
      text(cell, formatDuration(spokenMs({ spoken_ms: Number(cell.dataset.base || 0) }, s.timer, speaking, now)));
    }
    drawClock(s, now);
    // The undo offer goes when its time is up (the server refuses it after that anyway).
    const undoButton = $("undo");
    if (undoButton.dataset.until && now > Number(undoButton.dataset.until)) {
      undoButton.dataset.until = "";
      undoButton.disabled = true;
      label(undoButton, tr("undo"));
    }
  });
}

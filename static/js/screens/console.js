// The moderator's console: every command of the contract one click (or one key) away,
// the panel with allotted and spoken time, the queue with topics, the clock of the hour.

import { boot } from "../lib/boot.js";
import { everyFrame, serverNow } from "../lib/clock.js";
import { countdownLevel, formatCountdown, formatDuration, projectedEndAt, remainingMs, spokenMs } from "../lib/countdown.js";
import { CueAnnouncer, warningWords } from "../lib/cues.js";
import { clockDate, clockTime, dayOf } from "../lib/dates.js";
import { attr, h, reconcile, show, text } from "../lib/dom.js";
import { fill } from "../lib/i18n.js";
import { startPlaylist } from "../lib/playlist.js";
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

function nextSpeaker() {
  const s = session();
  if (!s) return;
  const next = s.speakers.find((sp) => sp.status === "waiting");
  if (next) run("speaker.call", { speaker_id: next.id });
  else toast(tr("no_waiting_speaker"));
}

function nextQuestion() {
  const s = session();
  if (!s) return;
  const next = s.queue.find((e) => e.status === "waiting");
  if (next) run("queue.call", { entry_id: next.id });
  else toast(tr("no_waiting_entry"));
}

function playbackPosition(s, now) {
  return s.playback ? targetMs(s.playback, now) : 0;
}

// Plain buttons that carry their command in data attributes.
document.addEventListener("click", (ev) => {
  const button = ev.target.closest("button[data-command]");
  if (!button || button.closest("#speakers, #queue")) return;
  const args = {};
  if (button.dataset.delta) args.delta_ms = Number(button.dataset.delta);
  run(button.dataset.command, args);
});

$("toggle-timer").addEventListener("click", toggleTimer);
$("finish").addEventListener("click", finishFloor);
$("next-speaker").addEventListener("click", nextSpeaker);
$("call-sur").addEventListener("click", () => run("sur.call"));
$("next-question").addEventListener("click", nextQuestion);
$("playback-resume").addEventListener("click", () => run("playback.play"));
for (const button of document.querySelectorAll("button[data-seek]")) {
  button.addEventListener("click", () => {
    const s = session();
    if (!s || !s.playback) return;
    const target = playbackPosition(s, serverNow()) + Number(button.dataset.seek);
    run("playback.seek", { position_ms: Math.max(0, Math.round(target)) });
  });
}

$("close-session").addEventListener("click", () => $("close-dialog").showModal());
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
$("conclude").addEventListener("click", () => {
  // In the language of the speaker on the floor, when there is one.
  const s = session();
  const holder = s ? words.holder(s) : null;
  const lang = holder && holder.speaker ? holder.speaker.language : config.lang;
  const presets = config.presets || {};
  const phrase = (presets[lang] || presets[config.lang] || {}).conclude;
  if (phrase) run("message.show", { text: phrase, to: "speaker" });
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

document.addEventListener("keydown", (ev) => {
  // Escape leaves any field, so that the shortcuts work again (the dialog handles its own Escape).
  if (ev.key === "Escape" && typing(ev.target) && !$("close-dialog").open) {
    ev.target.blur();
    return;
  }
  if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target) || $("close-dialog").open) return;
  const key = ev.key;
  const actions = {
    " ": toggleTimer,
    n: nextSpeaker,
    N: nextSpeaker,
    q: nextQuestion,
    Q: nextQuestion,
    "+": () => run("timer.adjust", { delta_ms: 60000 }),
    "=": () => run("timer.adjust", { delta_ms: 60000 }),
    "-": () => run("timer.adjust", { delta_ms: -60000 }),
    "−": () => run("timer.adjust", { delta_ms: -60000 }),
    f: finishFloor,
    F: finishFloor,
    m: () => $("message-text").focus(),
    M: () => $("message-text").focus(),
  };
  const action = actions[key];
  if (!action) return;
  // Space belongs to the timer, even when a button has the focus (Enter still presses buttons).
  ev.preventDefault();
  if (!ev.repeat) action();
});
document.addEventListener("keyup", (ev) => {
  if (ev.key === " " && !typing(ev.target)) ev.preventDefault();
});

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
      h("button", { type: "button", class: "call", text: tr("call") }),
      h("button", { type: "button", class: "skip", text: tr("skip") }),
      h("button", { type: "button", class: "play", text: tr("play_video") }),
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
        h("button", { type: "button", class: "call", text: tr("call") }),
        h("button", { type: "button", class: "done", text: tr("done") }),
        h("button", { type: "button", class: "up", text: "↑" }),
        h("button", { type: "button", class: "down", text: "↓" }),
        h("button", { type: "button", class: "remove", text: tr("remove") }),
      ),
    ),
  );
  return labelled(row, $("queue").closest("table"));
}

function renderQueue(s) {
  reconcile($("queue"), s.queue, (e) => e.id, entryRow, (row, e, index) => {
    const [num, state, to, topic, asked, actions] = row.children;
    const stateName = words.stateName(e.state);
    text(num, index + 1);
    text(state, stateName);
    const speaker = e.addressed_to ? words.speakerById(s, e.addressed_to) : null;
    text(to, speaker ? words.speakerName(s, speaker) : "");
    text(topic, e.topic || "");
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
  for (const b of document.querySelectorAll(".phases button[data-command]")) {
    b.disabled = !enabled[b.dataset.command];
    b.classList.toggle("current-step", Boolean(enabled[b.dataset.command]));
  }
  $("close-session").disabled = s.phase === "closed";

  const holder = words.holder(s);
  text($("holder"), holder.title);
  text($("holder-details"), holder.details.concat(holder.entry && holder.entry.topic ? [holder.entry.topic] : []).join(" · "));
  text($("toggle-timer"), s.timer.status === "running" ? tr("pause") : s.timer.status === "paused" ? tr("resume") : tr("start"));
  attr($("toggle-timer"), "aria-pressed", s.timer.status === "running" ? "true" : "false");

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
  $("toggle-timer").disabled = !timer;
  for (const b of document.querySelectorAll(".timer-buttons button[data-command]")) {
    const delta = Number(b.dataset.delta || 0);
    let can = timer;
    if (b.dataset.command === "timer.reset") can = timer && s.timer.status !== "idle";
    else if (delta < 0) can = timer && s.timer.duration_ms + delta >= 0;
    b.disabled = !can;
  }
  $("finish").disabled = !s.floor || closed;
  $("next-speaker").disabled = !calling || !s.speakers.some((sp) => sp.status === "waiting");
  $("next-question").disabled = s.phase !== "qa" || !s.queue.some((e) => e.status === "waiting");
  // Closed: nothing can change any more (the report stays available).
  for (const el of $("message-form").querySelectorAll("button, input")) el.disabled = closed;
  for (const b of document.querySelectorAll("#speakers button, #queue button")) if (closed) b.disabled = true;
  $("message-form").querySelector('button[data-command="message.clear"]').disabled = closed || !s.message;
  const p = s.playback;
  $("playback").querySelector('button[data-command="playback.pause"]').disabled = !p || p.status !== "playing";
  $("playback-resume").disabled = !p || p.status !== "paused";
  for (const b of document.querySelectorAll("button[data-seek]")) b.disabled = !p;
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
  } else if (minutes >= 1) {
    balance = "under";
    label = tr(otherDay ? "under_by_date" : "under_by", params);
  }
  text(balanceEl, label);
  attr(balanceEl, "data-balance", balance);
  attr(balanceEl, "data-other-day", otherDay && balance !== "on_time" ? "true" : null);
}

function drawPlayback(s, now) {
  if (s.format === "in_person") return;
  const p = s.playback;
  if (!p) {
    text($("playback-status"), tr("playback_none"));
    return;
  }
  const speaker = words.speakerById(s, p.speaker_id);
  const pos = Math.max(0, Math.min(playbackPosition(s, now), p.duration_ms ?? Infinity));
  text(
    $("playback-status"),
    tr(p.status === "playing" ? "playback_playing" : "playback_paused", {
      name: words.speakerName(s, speaker),
      pos: formatDuration(pos),
      dur: p.duration_ms == null ? "—" : formatDuration(p.duration_ms),
    }),
  );
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
    drawPlayback(s, now);
  });
}

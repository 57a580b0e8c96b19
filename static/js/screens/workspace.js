// The organiser's workspace of one series: the week at a glance, every link, the spreadsheet
// round trip (download, upload, preview, apply), edits of sessions and speakers (live
// commands; a refusal shows the server's sentence) and the speakers' recorded statements.
//
// The token (the series' moderator token, or the admin token) comes from the URL fragment as
// on the console and is sent in a header only. The week comes from the overview endpoint; a
// session being changed also arrives by its live channel, so every change shows at once.

import { Api, problems, refusal, saveBlob } from "../lib/api.js";
import { pageConfig } from "../lib/config.js";
import { formatDuration } from "../lib/countdown.js";
import { clockDate, clockTime } from "../lib/dates.js";
import { h, reconcile, show, text } from "../lib/dom.js";
import { fill, translator } from "../lib/i18n.js";
import { renderChanges, renderProblems } from "../lib/preview.js";
import { connect } from "../lib/socket.js";
import { takeToken } from "../lib/token.js";
import { sendFile } from "../lib/upload.js";
import { byDay, readiness, videoState, videoType } from "../lib/week.js";
import { localFields, zonedIso } from "../lib/zoned.js";

const config = pageConfig();
const strings = pageConfig("strings");
const tr = translator(strings);
const $ = (id) => document.getElementById(id);
const TOKEN_KEY = `upr-moderator-token:${config.series_id}`;
const TZ = config.timezone;
const LANG = config.lang;
const REFRESH_MS = 5000;

let token = null;
let api = null;
let overview = null;
let agendaDoc = null; // the agenda as GET /api/series/{id} gives it (ids, keys, links)
let live = null;
let refreshTimer = null;
let sheetFile = null;
const uploads = new Map(); // speaker id -> {name, loaded, total, cancel}
const notes = new Map(); // speaker id or session id -> {text, error}

const countryName = (code) => config.countries[code] || code;
const words = { tr, countryName, fieldLabels: config.field_labels };
const playsVideo = (session) => session.format !== "in_person";
/** A slot for people: "7 min", or "6:30 min" when it is not whole minutes. */
const slot = (ms) => (ms % 60000 === 0 ? tr("minutes", { n: ms / 60000 }) : tr("minutes", { n: formatDuration(ms).replace(/^0/, "") }));

// ---- token ---------------------------------------------------------------------------------

function askForToken(error) {
  show($("main"), false);
  show($("auth"), true);
  show($("auth-error"), Boolean(error));
  $("auth-error").textContent = error || "";
  $("token-input").focus();
}

$("auth-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const value = $("token-input").value.trim();
  if (!value) return;
  sessionStorage.setItem(TOKEN_KEY, value);
  start(value);
});

async function start(value) {
  token = value;
  api = new Api(token, LANG);
  if (await refresh()) {
    show($("auth"), false);
    show($("main"), true);
    loadAgenda();
  }
}

// ---- the data -------------------------------------------------------------------------------

async function refresh() {
  clearTimeout(refreshTimer);
  const answer = await api.get(config.urls.overview);
  if (answer.status === 401 || answer.status === 403) {
    sessionStorage.removeItem(TOKEN_KEY);
    askForToken(tr("token_refused"));
    return false;
  }
  if (answer.ok) {
    const liveOne = live && live.state ? live.state : null;
    overview = answer.body;
    if (liveOne) merge(liveOne, live.seq);
    render();
    renderLinks();
  } else {
    note("week", refusal(answer, tr("failed", { reason: answer.status || answer.error })), true);
  }
  refreshTimer = setTimeout(refresh, REFRESH_MS);
  return answer.ok;
}

async function loadAgenda() {
  const answer = await api.get(config.urls.series);
  if (answer.ok) {
    agendaDoc = answer.body;
    renderLinks();
    renderMissions();
  }
  return answer;
}

/** A session's state from its live channel, newer than the overview's: it replaces it. */
function merge(session, seq) {
  if (!overview) return;
  const i = overview.sessions.findIndex((s) => s.id === session.id);
  if (i < 0 || (overview.sessions[i].seq ?? -1) > seq) return;
  const old = overview.sessions[i];
  overview.sessions[i] = {
    ...old,
    ...session,
    seq,
    minutes: Math.round((session.planned_end - session.start) / 60000),
    sur_statement_seconds: session.sur_statement_seconds !== undefined ? session.sur_statement_seconds : old.sur_statement_seconds,
  };
}

function onLiveState(ev) {
  merge(ev.detail, live.seq);
  render();
}

/** Send a live command to one session (the one connection moves to it first). */
async function command(sessionId, name, args) {
  if (!live) {
    live = connect({ sessionId, token, lang: LANG, messages: strings, badge: null });
    live.addEventListener("state", onLiveState);
  } else {
    live.switchSession(sessionId);
  }
  await joined(sessionId);
  const ack = await live.send(name, args);
  return ack;
}

function joined(sessionId) {
  if (live.sessionId === sessionId && live.state && live.status === "live") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (fn, value) => {
      clearTimeout(timer);
      live.removeEventListener("state", onState);
      live.removeEventListener("fatal", onFatal);
      fn(value);
    };
    const onState = () => {
      if (live.sessionId === sessionId) done(resolve);
    };
    const onFatal = () => done(reject, new Error(tr("refused")));
    const timer = setTimeout(() => done(reject, new Error(tr("offline"))), 15000);
    live.addEventListener("state", onState);
    live.addEventListener("fatal", onFatal);
  });
}

function note(key, message, error = false) {
  if (message) notes.set(key, { text: message, error });
  else notes.delete(key);
  if (key === "week") {
    text($("notice"), message || "");
    $("notice").classList.toggle("error", error);
  }
  render();
}

// ---- links ----------------------------------------------------------------------------------

function withToken(url) {
  return `${url}#token=${encodeURIComponent(token)}`;
}

function renderLinks() {
  const items = [];
  const links = (agendaDoc && agendaDoc.links) || {};
  for (const name of ["room", "speaker", "watch"]) {
    if (links[name]) items.push(h("li", {}, h("a", { href: links[name], text: tr(`series_${name}`) })));
  }
  if (overview && overview.role === "moderator") {
    items.push(h("li", {}, h("a", { href: withToken(config.urls.cards), id: "cards-link", text: tr("join_cards") })));
  } else {
    items.push(h("li", { class: "hint", text: tr("cards_need_moderator") }));
  }
  $("series-links").replaceChildren(...items);
}

// ---- the week -------------------------------------------------------------------------------

function render() {
  if (!overview) return;
  const sessions = overview.sessions;
  const speakers = sessions.reduce((n, s) => n + s.speakers.length, 0);
  text(
    $("week-summary"),
    [tr("sessions_count", { n: sessions.length }), tr("speakers_count", { n: speakers }), tr("missions_count", { n: overview.delegations })].join(" · "),
  );
  if (!sessions.length) {
    $("week").replaceChildren(h("p", { class: "empty", text: tr("no_sessions") }));
    return;
  }
  reconcile($("week"), byDay(sessions, TZ), (d) => d.day, createDay, updateDay);
}

function createDay() {
  return h("section", { class: "day" }, h("h3", { class: "day-title" }), h("div", { class: "sessions" }));
}

function updateDay(el, day) {
  text(el.firstChild, clockDate(day.sessions[0].start, LANG, TZ, overview.server_time));
  reconcile(el.lastChild, day.sessions, (s) => s.id, createSession, updateSession);
}

const find = (id) => overview.sessions.find((s) => s.id === id);

function createSession(session) {
  const id = session.id;
  const el = h(
    "article",
    { class: "session", "aria-labelledby": `title-${id}` },
    h(
      "header",
      { class: "session-head" },
      h("h4", { id: `title-${id}`, class: "session-title" }, h("span", { class: "when" }), " ", h("span", { class: "sur" })),
      h("p", { class: "badges" }, h("span", { class: "badge format" }), h("span", { class: "badge phase" })),
      h("p", { class: "meta" }),
      h("nav", { class: "session-links", "aria-label": tr("screens_of", { state: countryName(session.state_under_review.code) }) }),
    ),
    h(
      "div",
      { class: "buttons session-actions" },
      h("button", { type: "button", class: "edit-session", on: { click: () => openSessionForm(find(id), el) } }, tr("edit_session")),
      h("button", { type: "button", class: "add-speaker", on: { click: () => openSpeakerForm(find(id), null, el.querySelector(".add-form")) } }, tr("add_speaker")),
    ),
    h("div", { class: "session-form" }),
    h("p", { class: "session-note", role: "status" }),
    h("ol", { class: "speakers" }),
    h("div", { class: "add-form" }),
  );
  return el;
}

function updateSession(el, session) {
  const id = session.id;
  const sur = countryName(session.state_under_review.code);
  text(el.querySelector(".when"), tr("time_range", { start: clockTime(session.start, LANG, TZ, false, null), end: clockTime(session.planned_end, LANG, TZ, false, null) }));
  text(el.querySelector(".sur"), sur);
  const format = el.querySelector(".format");
  text(format, tr(`format_${session.format}`));
  format.dataset.format = session.format;
  const phase = el.querySelector(".phase");
  text(phase, tr(`phase_${session.phase}`));
  phase.dataset.phase = session.phase;
  el.dataset.phase = session.phase;
  const meta = [tr("minutes", { n: session.minutes }), tr("question_time", { time: slot(session.question_seconds * 1000) })];
  if (session.sur_statement_seconds) meta.push(tr("sur_statement", { time: slot(session.sur_statement_seconds * 1000) }));
  meta.push(tr("speakers_count", { n: session.speakers.length }));
  if (playsVideo(session)) meta.push(tr("videos_ready", readiness(session)));
  text(el.querySelector(".meta"), meta.join(" · "));
  const nav = el.querySelector(".session-links");
  if (!nav.childElementCount) {
    for (const name of ["console", "speaker", "room", "watch"]) {
      const href = fill(config.urls.screens[name], { session_id: id });
      nav.append(h("a", { href: name === "console" ? withToken(href) : href, class: `link-${name}` }, tr(`open_${name}`)));
    }
  }
  el.querySelector(".edit-session").setAttribute("aria-label", tr("edit_session_of", { state: sur }));
  el.querySelector(".add-speaker").setAttribute("aria-label", tr("add_speaker_to", { state: sur }));
  const sessionNote = notes.get(id);
  const noteEl = el.querySelector(".session-note");
  text(noteEl, sessionNote ? sessionNote.text : "");
  noteEl.classList.toggle("error", Boolean(sessionNote && sessionNote.error));
  const list = el.querySelector(".speakers");
  if (!session.speakers.length) {
    if (!list.querySelector(".empty")) list.replaceChildren(h("li", { class: "empty", "data-key": "empty", text: tr("no_speakers") }));
    return;
  }
  reconcile(list, session.speakers, (s) => s.id, (sp) => createSpeaker(session.id, sp), (li, sp, i) => updateSpeaker(li, sp, i, find(id)));
}

function createSpeaker(sessionId, speaker) {
  const id = speaker.id;
  // The file picker itself stays out of sight and out of the tab order: its button opens it.
  const input = h("input", { type: "file", class: "video-input", accept: "video/mp4,video/webm,video/quicktime,.mp4,.webm,.mov", hidden: true });
  const li = h(
    "li",
    { class: "speaker" },
    h("div", { class: "who" }, h("strong", { class: "name" }), h("span", { class: "details" })),
    h("span", { class: "badge status" }),
    h(
      "div",
      { class: "video" },
      h("p", { class: "video-state" }),
      h("div", { class: "progress", hidden: true }, h("progress", { max: "100", value: "0" }), h("span", { class: "progress-text" }), h("button", { type: "button", class: "upload-cancel", on: { click: () => uploads.get(id)?.cancel() } }, tr("cancel"))),
      h("p", { class: "drop" }, h("span", { class: "drop-hint" }, tr("drop_video")), " ", h("button", { type: "button", class: "link choose-video", on: { click: () => input.click() } }, tr("choose_video")), input),
      h("p", { class: "video-note", role: "status" }),
    ),
    h(
      "div",
      { class: "buttons speaker-actions" },
      h("button", { type: "button", class: "edit", on: { click: () => openSpeakerForm(find(sessionId), id, li.querySelector(".speaker-form")) } }, tr("edit")),
      h("button", { type: "button", class: "up", on: { click: () => move(sessionId, id, -1) } }, tr("up")),
      h("button", { type: "button", class: "down", on: { click: () => move(sessionId, id, 1) } }, tr("down")),
      h("button", { type: "button", class: "danger remove", on: { click: () => remove(sessionId, id) } }, tr("remove")),
    ),
    h("div", { class: "speaker-form" }),
  );
  input.addEventListener("change", () => {
    if (input.files.length) chooseVideo(sessionId, id, input.files[0]);
    input.value = "";
  });
  const zone = li.querySelector(".video");
  zone.addEventListener("dragover", (ev) => {
    ev.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (ev) => {
    ev.preventDefault();
    zone.classList.remove("dragging");
    const file = ev.dataTransfer && ev.dataTransfer.files[0];
    if (file) chooseVideo(sessionId, id, file);
  });
  return li;
}

function updateSpeaker(li, speaker, index, session) {
  const name = speaker.name;
  text(li.querySelector(".name"), `${index + 1}. ${name}`);
  const details = [speaker.organisation, tr(`kind_${speaker.kind}`), tr(`lang_${speaker.language}`), tr("slot", { time: slot(speaker.allotted_ms) })];
  if (speaker.public_name) details.push(tr("shown_as", { name: speaker.public_name }));
  if (!speaker.publish) details.push(tr("not_published"));
  text(li.querySelector(".details"), details.filter(Boolean).join(" · "));
  const status = li.querySelector(".status");
  text(status, tr(`status_${speaker.status}`));
  status.dataset.status = speaker.status;
  li.querySelector(".edit").setAttribute("aria-label", tr("edit_speaker", { name }));
  li.querySelector(".up").setAttribute("aria-label", tr("move_up", { name }));
  li.querySelector(".down").setAttribute("aria-label", tr("move_down", { name }));
  li.querySelector(".remove").setAttribute("aria-label", tr("remove_speaker", { name }));
  li.querySelector(".up").disabled = index === 0;
  li.querySelector(".down").disabled = index === session.speakers.length - 1;
  li.querySelector(".choose-video").setAttribute("aria-label", tr("choose_video_for", { name }));
  const state = videoState(speaker, playsVideo(session));
  const video = speaker.video;
  const words = {
    none: tr("no_video"),
    in_person: tr("video_in_person"),
    unknown: tr("video_unknown_length"),
    ok: video && video.duration_ms != null ? tr("video_length", { time: formatDuration(video.duration_ms) }) : "",
    long: video && video.duration_ms != null ? tr("video_too_long", { time: formatDuration(video.duration_ms), slot: formatDuration(speaker.allotted_ms) }) : "",
  };
  const stateEl = li.querySelector(".video-state");
  text(stateEl, words[state]);
  stateEl.dataset.video = state;
  li.dataset.video = state;
  li.querySelector(".video").dataset.video = state;
  const upload = uploads.get(speaker.id);
  show(li.querySelector(".progress"), Boolean(upload));
  show(li.querySelector(".drop"), !upload && speaker.status !== "done");
  text(li.querySelector(".choose-video"), video ? tr("replace_video") : tr("choose_video"));
  if (upload) {
    const percent = upload.total ? Math.floor((100 * upload.loaded) / upload.total) : 0;
    const bar = li.querySelector("progress");
    bar.value = percent;
    bar.setAttribute("aria-label", tr("uploading", { name: upload.name, percent: `${percent} %` }));
    text(li.querySelector(".progress-text"), tr("uploading", { name: upload.name, percent: new Intl.NumberFormat(LANG, { style: "percent" }).format(percent / 100) }));
    li.querySelector(".upload-cancel").setAttribute("aria-label", tr("upload_cancel"));
  }
  const n = notes.get(speaker.id);
  const noteEl = li.querySelector(".video-note");
  text(noteEl, n ? n.text : "");
  noteEl.classList.toggle("error", Boolean(n && n.error));
  noteEl.setAttribute("role", n && n.error ? "alert" : "status");
}

// ---- edits (live commands) ------------------------------------------------------------------

async function run(key, sessionId, name, args) {
  try {
    const ack = await command(sessionId, name, args);
    note(key, null);
    refresh();
    return ack;
  } catch (err) {
    note(key, err.message, true);
    return null;
  }
}

function move(sessionId, speakerId, by) {
  const session = find(sessionId);
  const index = session.speakers.findIndex((s) => s.id === speakerId);
  const position = index + by;
  if (position < 0 || position >= session.speakers.length) return;
  run(sessionId, sessionId, "speaker.move", { speaker_id: speakerId, position }).then(() => {
    const button = document.querySelector(`[data-key="${speakerId}"] .${by < 0 ? "up" : "down"}`);
    if (button && !button.disabled) button.focus();
  });
}

function remove(sessionId, speakerId) {
  const speaker = find(sessionId).speakers.find((s) => s.id === speakerId);
  if (!window.confirm(tr("confirm_remove", { name: speaker.name }))) return;
  run(sessionId, sessionId, "speaker.remove", { speaker_id: speakerId });
}

function field(label, control) {
  const id = `f-${Math.random().toString(36).slice(2)}`;
  control.id = id;
  return h("p", { class: "field" }, h("label", { for: id, text: label }), control);
}

function select(name, options, value, labelOf) {
  return h("select", { name }, options.map((o) => h("option", { value: o, selected: o === value, text: labelOf(o) })));
}

function form(container, fields, onSubmit) {
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const el = h(
    "form",
    { class: "edit-form" },
    h("div", { class: "fields" }, fields),
    error,
    h("div", { class: "buttons" }, h("button", { type: "submit" }, tr("save")), h("button", { type: "button", class: "cancel", on: { click: () => close() } }, tr("cancel"))),
  );
  const opener = document.activeElement;
  const close = () => {
    container.replaceChildren();
    if (opener && opener.isConnected) opener.focus();
  };
  el.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") close();
  });
  el.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = el.querySelector("button[type=submit]");
    button.disabled = true;
    const message = await onSubmit(new FormData(el));
    button.disabled = false;
    if (message) {
      error.textContent = message;
      error.hidden = false;
      button.focus(); // it lost focus while disabled: keep the person in the form
    } else close();
  });
  container.replaceChildren(el);
  el.querySelector("input, select").focus();
}

async function send(sessionId, name, args) {
  try {
    await command(sessionId, name, args);
    refresh();
    return null;
  } catch (err) {
    return err.message;
  }
}

function openSessionForm(session, el) {
  const { date, time } = localFields(session.start, TZ);
  const number = (name, value) => h("input", { type: "number", name, value: value ?? "", inputmode: "numeric" });
  form(
    el.querySelector(".session-form"),
    [
      field(tr("field_date"), h("input", { type: "date", name: "date", value: date, required: true })),
      field(tr("field_time"), h("input", { type: "time", name: "time", value: time, required: true })),
      field(tr("field_minutes"), number("minutes", session.minutes)),
      field(tr("field_question_seconds"), number("question_seconds", session.question_seconds)),
      field(tr("field_format"), select("format", config.formats, session.format, (f) => tr(`format_${f}`))),
      field(tr("field_sur_statement"), number("sur_statement_seconds", session.sur_statement_seconds)),
    ],
    (data) => {
      const args = {};
      const start = zonedIso(data.get("date"), data.get("time"), TZ);
      if (start !== zonedIso(date, time, TZ)) args.start = start;
      for (const name of ["minutes", "question_seconds"]) {
        const value = Number(data.get(name));
        if (data.get(name) !== "" && value !== session[name]) args[name] = value;
      }
      if (data.get("format") !== session.format) args.format = data.get("format");
      const sur = data.get("sur_statement_seconds");
      const surValue = sur === "" ? null : Number(sur);
      if (surValue !== (session.sur_statement_seconds ?? null)) args.sur_statement_seconds = surValue;
      if (!Object.keys(args).length) return null;
      return send(session.id, "session.update", args);
    },
  );
}

function openSpeakerForm(session, speakerId, container) {
  const speaker = speakerId ? session.speakers.find((s) => s.id === speakerId) : null;
  const v = speaker || { name: "", organisation: "", kind: "cso", theme: "", language: LANG, allotted_ms: 360000, public_name: null, publish: true };
  const input = (name, value) => h("input", { name, value: value ?? "" });
  const publish = h("input", { type: "checkbox", name: "publish", checked: v.publish });
  form(
    container,
    [
      field(tr("field_name"), input("name", v.name)),
      field(tr("field_organisation"), input("organisation", v.organisation)),
      field(tr("field_kind"), select("kind", config.kinds, v.kind, (k) => tr(`kind_${k}`))),
      field(tr("field_theme"), input("theme", v.theme)),
      field(tr("field_language"), select("language", config.languages, v.language, (l) => tr(`lang_${l}`))),
      field(tr("field_seconds"), h("input", { type: "number", name: "seconds", value: Math.round(v.allotted_ms / 1000), inputmode: "numeric" })),
      field(tr("field_public_name"), input("public_name", v.public_name)),
      h("p", { class: "field check" }, h("label", {}, publish, ` ${tr("field_publish")}`)),
    ],
    (data) => {
      const values = {
        name: data.get("name"),
        organisation: data.get("organisation"),
        kind: data.get("kind"),
        theme: data.get("theme"),
        language: data.get("language"),
        seconds: Number(data.get("seconds")),
        public_name: data.get("public_name") === "" ? null : data.get("public_name"),
        publish: publish.checked,
      };
      if (!speaker) return send(session.id, "speaker.add", values);
      const old = { ...speaker, seconds: Math.round(speaker.allotted_ms / 1000), public_name: speaker.public_name ?? null };
      const args = { speaker_id: speaker.id };
      for (const [k, value] of Object.entries(values)) if (value !== old[k]) args[k] = value;
      if (Object.keys(args).length === 1) return null;
      return send(session.id, "speaker.update", args);
    },
  );
}

// ---- videos ---------------------------------------------------------------------------------

function askFormat() {
  const dialog = $("format-dialog");
  show($("format-dialog-error"), false);
  return new Promise((resolve) => {
    const choose = (value) => () => {
      cleanup();
      resolve(value);
    };
    const hybrid = choose("hybrid");
    const virtual = choose("virtual");
    const cancel = choose(null);
    const cleanup = () => {
      $("switch-hybrid").removeEventListener("click", hybrid);
      $("switch-virtual").removeEventListener("click", virtual);
      $("switch-cancel").removeEventListener("click", cancel);
      dialog.removeEventListener("cancel", cancel);
      dialog.close();
    };
    $("switch-hybrid").addEventListener("click", hybrid);
    $("switch-virtual").addEventListener("click", virtual);
    $("switch-cancel").addEventListener("click", cancel);
    dialog.addEventListener("cancel", cancel);
    dialog.showModal();
    $("switch-hybrid").focus();
  });
}

async function chooseVideo(sessionId, speakerId, file) {
  const type = videoType(file);
  if (!type) {
    note(speakerId, tr("upload_type"), true);
    return;
  }
  const session = find(sessionId);
  if (!playsVideo(session)) {
    const format = await askFormat();
    if (!format) return;
    try {
      await command(sessionId, "session.update", { format });
    } catch (err) {
      note(speakerId, err.message, true);
      return;
    }
    const fresh = find(sessionId);
    if (fresh) fresh.format = format;
  }
  upload(sessionId, speakerId, file, type);
}

async function upload(sessionId, speakerId, file, type) {
  note(speakerId, null);
  const entry = { name: file.name, loaded: 0, total: file.size, cancel: () => {} };
  const { done, cancel } = sendFile({
    url: fill(config.urls.video, { speaker_id: speakerId }),
    file,
    token,
    type,
    lang: LANG,
    onProgress: (loaded, total) => {
      entry.loaded = loaded;
      entry.total = total;
      render();
    },
  });
  entry.cancel = cancel;
  uploads.set(speakerId, entry);
  render();
  const li = document.querySelector(`[data-key="${speakerId}"] .upload-cancel`);
  if (li) li.focus();
  const answer = await done;
  uploads.delete(speakerId);
  if (answer.cancelled) note(speakerId, tr("upload_cancelled"));
  else if (answer.status === 201) {
    const ms = answer.body && answer.body.duration_ms;
    note(speakerId, tr("upload_done", { time: ms != null ? formatDuration(ms) : "—" }));
  } else note(speakerId, tr("upload_failed", { reason: refusal(answer, String(answer.status || tr("offline"))) }), true);
  const chooser = document.querySelector(`[data-key="${speakerId}"] .choose-video`);
  if (chooser) chooser.focus();
  refresh();
}

// ---- missions (PUT /api/series/{id} with the agenda as it stands, its delegations changed) ---

function renderMissions() {
  if (!agendaDoc) return;
  const invited = new Set(agendaDoc.delegations.map((d) => d.state));
  text($("missions-count"), `(${new Intl.NumberFormat(LANG).format(invited.size)})`);
  const byName = (a, b) => countryName(a).localeCompare(countryName(b), LANG);
  const select = $("mission-state");
  const others = Object.keys(config.countries).filter((code) => !invited.has(code));
  if (select.dataset.codes !== others.join()) {
    select.replaceChildren(h("option", { value: "", text: "—" }), ...others.map((code) => h("option", { value: code, text: countryName(code) })));
    select.dataset.codes = others.join();
  }
  const items = [...invited].sort(byName).map((code) => ({ code }));
  reconcile(
    $("mission-list"),
    items,
    (m) => m.code,
    (m) =>
      h(
        "li",
        {},
        h("span", { text: countryName(m.code) }),
        " ",
        h("button", { type: "button", class: "link danger", "aria-label": tr("remove_mission", { state: countryName(m.code) }), on: { click: () => changeMissions(m.code, false) } }, tr("remove")),
      ),
    () => {},
  );
}

async function changeMissions(code, add) {
  const name = countryName(code);
  if (!add && !window.confirm(tr("confirm_remove_mission", { state: name }))) return;
  const current = await loadAgenda();
  if (!current.ok) {
    note("missions", refusal(current, tr("failed", { reason: current.status })), true);
    return;
  }
  const doc = JSON.parse(JSON.stringify(agendaDoc));
  delete doc.links;
  doc.delegations = add ? [...doc.delegations, { state: code }] : doc.delegations.filter((d) => d.state !== code);
  const answer = await api.request("PUT", config.urls.series, { json: doc });
  const noteEl = $("missions-note");
  noteEl.classList.toggle("error", !answer.ok);
  text(noteEl, answer.ok ? tr(add ? "mission_added" : "mission_removed", { state: name }) : refusal(answer, tr("failed", { reason: answer.status })));
  await loadAgenda();
  refresh();
}

$("mission-add").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const code = $("mission-state").value;
  if (code) changeMissions(code, true);
});

// ---- the spreadsheet round trip --------------------------------------------------------------

$("download-xlsx").addEventListener("click", async () => {
  const answer = await api.get(config.urls.xlsx);
  if (answer.ok) saveBlob(answer.body, `${(overview && overview.series.title) || "week"}.xlsx`);
  else note("week", refusal(answer, tr("failed", { reason: answer.status })), true);
});

$("download-json").addEventListener("click", async () => {
  const answer = await loadAgenda();
  if (!answer.ok) {
    note("week", refusal(answer, tr("failed", { reason: answer.status })), true);
    return;
  }
  const doc = JSON.parse(JSON.stringify(answer.body));
  delete doc.links;
  saveBlob(new Blob([JSON.stringify(doc, null, 2)], { type: "application/json" }), `${doc.title || "agenda"}.json`);
});

$("upload-sheet").addEventListener("click", () => $("sheet-file").click());

function sheetUrl(dryRun) {
  const params = new URLSearchParams({ filename: sheetFile.name });
  if (dryRun) params.set("dry_run", "true");
  return `${config.urls.sheet}?${params}`;
}

$("sheet-file").addEventListener("change", async () => {
  const input = $("sheet-file");
  if (!input.files.length) return;
  sheetFile = input.files[0];
  input.value = "";
  const answer = await api.request("PUT", sheetUrl(true), { body: sheetFile, type: sheetFile.type || "application/octet-stream" });
  const body = $("preview-body");
  show($("preview"), true);
  if (answer.ok) {
    await loadAgenda();
    renderChanges(body, answer.body, answer.body.document, agendaDoc, words);
    const blocked = (answer.body.conflicts || []).length > 0 || !(answer.body.changes || []).length;
    show($("apply"), !blocked);
  } else {
    renderProblems(body, problems(answer).length ? problems(answer) : [tr("failed", { reason: answer.status })], tr);
    show($("apply"), false);
  }
  $("preview").focus();
});

$("apply").addEventListener("click", async () => {
  if (!sheetFile) return;
  const answer = await api.request("PUT", sheetUrl(false), { body: sheetFile, type: sheetFile.type || "application/octet-stream" });
  if (answer.ok) {
    show($("preview"), false);
    sheetFile = null;
    note("week", tr("applied"));
    await loadAgenda();
    refresh();
  } else {
    renderProblems($("preview-body"), problems(answer), tr);
    show($("apply"), false);
  }
});

$("discard").addEventListener("click", () => {
  show($("preview"), false);
  sheetFile = null;
  $("upload-sheet").focus();
});

// ---- start ------------------------------------------------------------------------------------

const given = takeToken(TOKEN_KEY);
if (given) start(given);
else askForToken("");

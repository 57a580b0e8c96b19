// A mission's phone: request the floor (optionally to a speaker, with a topic), see
// the place in the queue, withdraw. The place lives on the server, so a dropped
// connection or a reload loses nothing.

import { startAlerts } from "../lib/alerts.js";
import { boot } from "../lib/boot.js";
import { everyFrame } from "../lib/clock.js";
import { countdownLevel, formatCountdown, remainingMs } from "../lib/countdown.js";
import { warningWords } from "../lib/cues.js";
import { attr, h, reconcile, show, text } from "../lib/dom.js";
import { followWithChoice } from "../lib/follow.js";
import { abilities } from "../lib/rules.js";
import { fetchStatements, showStatements } from "../lib/statements.js";

const { config, tr, words, connect } = boot();
const $ = (id) => document.getElementById(id);

const live = connect(config.token);

const myCode = () => live.stateCode || config.state_code;
const mine = (session) => session.queue.find((e) => e.state.code === myCode()) || null;

function showError(message) {
  show($("error"), Boolean(message));
  text($("error"), message || "");
}

function renderAddressees(session) {
  // The first option ("the whole panel", key "anyone") stays; the speakers follow it.
  const select = $("addressee");
  const speakers = session.speakers.filter((s) => s.status !== "skipped");
  reconcile(
    select,
    [{ id: "anyone" }, ...speakers],
    (s) => s.id,
    (s) => h("option", { value: s.id }),
    (opt, s) => {
      if (s.id !== "anyone") text(opt, words.speakerName(session, s));
    },
  );
}

function render(session) {
  const code = myCode();
  text($("mission"), tr("mission_of", { state: words.stateName({ code }) }));
  text($("sur"), tr("pre_session_of", { state: words.surName(session.state_under_review) }));
  text($("phase"), words.phase(session.phase));
  attr(document.body, "data-phase", session.phase);

  const entry = mine(session);
  const may = abilities(session, code, config.rules); // the server's rules (lib/rules.js, core/rules.py)
  const isSur = may.sur;
  let notice = "";
  if (isSur && !config.rules.sur_may_request) notice = tr("sur_reason", { state: words.surName(session.state_under_review) });
  else if (session.phase === "closed") notice = tr("closed");
  else if (!entry && !may.open) notice = tr("not_open");
  show($("notice"), Boolean(notice));
  text($("notice"), notice);
  attr(document.body, "data-sur", isSur ? "true" : null);

  show($("request"), may.can_request);
  show($("mine"), Boolean(entry));
  if (entry) {
    const place = session.queue.indexOf(entry) + 1;
    let placeText;
    if (entry.status === "on_floor") placeText = tr("on_floor");
    else if (place === 1 || (place === 2 && session.queue[0].status === "on_floor")) placeText = tr("place_first");
    else placeText = tr("place", { n: place });
    text($("place"), placeText);
    attr($("mine"), "data-status", entry.status);
    const to = entry.addressed_to ? words.speakerById(session, entry.addressed_to) : null;
    text($("mine-details"), to ? tr("addressed_to", { name: words.speakerName(session, to) }) : "");
    show($("withdraw"), entry.status === "waiting" && $("confirm-withdraw").hidden);
    if (entry.status !== "waiting") show($("confirm-withdraw"), false);
  } else {
    show($("confirm-withdraw"), false);
    show($("withdraw"), true);
  }

  renderAddressees(session);
  const holder = words.holder(session);
  text($("holder"), session.floor ? holder.title : "");

  reconcile(
    $("queue"),
    session.queue,
    (e) => e.id,
    () => h("li"),
    (li, e) => {
      const you = e.state.code === code ? ` (${tr("you")})` : "";
      const status = e.status === "on_floor" ? ` · ${tr("on_floor_short")}` : "";
      text(li, `${words.stateName(e.state)}${you}${status}`);
      attr(li, "data-mine", e.state.code === code ? "true" : null);
      attr(li, "aria-current", e.state.code === code ? "true" : null);
    },
  );
  show($("queue-empty"), session.queue.length === 0);
  text($("queue-empty"), words.emptyQueue(session));
}

live.addEventListener("state", (ev) => render(ev.detail));
startAlerts(live, myCode, { region: $("turn-live"), banner: $("turn-banner"), words: { next: tr("alert_next"), floor: tr("alert_floor") } });

everyFrame((now) => {
  const session = live.state;
  if (!session) return;
  const el = $("countdown");
  const remaining = remainingMs(session.timer, now);
  text(el, session.floor ? formatCountdown(remaining) : "");
  const level = countdownLevel(session, remaining);
  attr(el, "data-level", level);
  // The level in words too, not colour alone.
  text($("cue"), level === "over" ? tr("time_up") : level === "warning" ? warningWords(tr, session.timer.warning_ms) : "");
  attr($("cue"), "data-level", level);
});

// ---------------------------------------------------------------- actions

$("topic").addEventListener("input", () => {
  const left = config.rules.topic_max - Array.from($("topic").value).length;
  text($("topic-count"), tr("chars_left", { n: left }));
});

$("request").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  showError("");
  const button = $("request-button");
  const args = {};
  const to = $("addressee").value;
  const topic = $("topic").value.trim();
  if (to) args.addressed_to = to;
  if (topic) args.topic = topic;
  button.disabled = true;
  try {
    await live.send("queue.request", args);
    $("topic").value = "";
    $("topic").dispatchEvent(new Event("input"));
    $("options").open = false;
  } catch (err) {
    showError(err.message);
  } finally {
    button.disabled = false;
  }
});

$("withdraw").addEventListener("click", () => {
  show($("withdraw"), false);
  show($("confirm-withdraw"), true);
  $("withdraw-no").focus();
});

$("withdraw-no").addEventListener("click", () => {
  show($("confirm-withdraw"), false);
  show($("withdraw"), true);
  $("withdraw").focus();
});

$("withdraw-yes").addEventListener("click", async () => {
  showError("");
  const session = live.state;
  const entry = session && mine(session);
  show($("confirm-withdraw"), false);
  if (!entry) return;
  try {
    await live.send("queue.withdraw", { entry_id: entry.id });
    $("request-button").focus();
  } catch (err) {
    showError(err.message);
    show($("withdraw"), true);
  }
});

// ---------------------------------------------------------------- following the series

// The socket follows the series' current session (the server's `series` frame, core/follow.py);
// where two sessions are open at once, the mission chooses, and the choice holds while that
// session stays open (follow.js).
const choice = followWithChoice(live, config.series_id);

function renderChoices(series) {
  const open = series.open_session_ids;
  const sessions = open.map((id) => series.sessions.find((s) => s.id === id)).filter(Boolean);
  show($("choose"), sessions.length > 1);
  reconcile(
    $("choices"),
    sessions.length > 1 ? sessions : [],
    (s) => s.id,
    (s) => h("button", { type: "button", class: "secondary choice", dataset: { session: s.id }, on: { click: () => choice.choose(s.id) } }),
    (button, s) => {
      const current = s.id === live.sessionId;
      text(button, tr("pre_session_of", { state: words.surName(s.state_under_review) }) + (current ? ` · ${tr("chosen")}` : ""));
      attr(button, "aria-pressed", current ? "true" : "false");
    },
  );
}

live.addEventListener("series", (ev) => renderChoices(ev.detail));
live.addEventListener("welcome", () => live.series && renderChoices(live.series));

// ---------------------------------------------------------------- the session's written statements

// Listed for the session this phone follows, while it is not closed; asked again when the
// phone moves to another session or the session closes.
let statementsFor = null;
async function refreshStatements() {
  const session = live.state;
  const key = `${live.sessionId}:${session && session.phase === "closed"}`;
  if (!config.statements_url || key === statementsFor) return;
  statementsFor = key;
  try {
    const items = await fetchStatements(config.statements_url);
    showStatements($("statements"), $("statements-list"), items, (n) => tr("speaker_n", { n }));
  } catch {
    statementsFor = null; /* offline: try again with the next state */
  }
}
live.addEventListener("state", refreshStatements);
// A statement attached during the session shows within a minute.
const STATEMENTS_EVERY_MS = 60000;
window.setInterval(() => {
  statementsFor = null;
  refreshStatements();
}, STATEMENTS_EVERY_MS);

// What the room sees (projector) and what people online see (remote viewer):
// the State under Review, who has the floor, the countdown, the next speakers and
// the queue of States. Shared by screens/room.js and screens/watch.js.

import { boot } from "./boot.js";
import { everyFrame, serverNow } from "./clock.js";
import { countdownLevel, formatCountdown, formatDuration, remainingMs } from "./countdown.js";
import { CueAnnouncer, warningWords } from "./cues.js";
import { nextSessionText, restOfDay } from "./between.js";
import { nextSpeakerOf } from "./rules.js";
import { clockTime, dayOf } from "./dates.js";
import { attr, h, reconcile, show, text } from "./dom.js";

/** Start the board of `variant` ("room" or "watch") on this page; returns its live connection. */
export function startBoard(variant) {
  const { config, tr, words, connect } = boot();
  const $ = (id) => document.getElementById(id);
  const live = connect();
  const announcer = new CueAnnouncer($("announcer"), {
    warning: (session) => warningWords(tr, session.timer.warning_ms),
    over: tr("time_up"),
  });
  document.body.dataset.variant = variant;

  function renderNext(session) {
    // Once the session is closed nobody is "next", whoever was still waiting.
    const waiting = session.phase === "closed" ? [] : session.speakers.filter((s) => s.status === "waiting");
    reconcile(
      $("next"),
      waiting,
      (s) => s.id,
      () => h("li", {}, h("span", { class: "who" }), h("span", { class: "what" })),
      (li, s) => {
        const [who, what] = li.children;
        text(who, words.speakerName(session, s));
        const details = [s.organisation, s.theme, words.language(s.language), tr("allotted", { time: formatDuration(s.allotted_ms) })];
        text(what, details.filter(Boolean).join(" · "));
      },
    );
    show($("next-empty"), waiting.length === 0);
  }

  function renderQueue(session) {
    reconcile(
      $("queue"),
      session.queue,
      (e) => e.id,
      () => h("li", {}, h("span", { class: "who" }), h("span", { class: "what" })),
      (li, e) => {
        const [who, what] = li.children;
        text(who, words.stateName(e.state));
        const bits = [];
        if (e.status === "on_floor") bits.push(tr("on_floor"));
        const to = e.addressed_to ? words.speakerById(session, e.addressed_to) : null;
        if (to) bits.push(tr("addressed_to", { name: words.speakerName(session, to) }));
        text(what, bits.join(" · "));
        attr(li, "data-status", e.status);
        attr(li, "aria-current", e.status === "on_floor" ? "true" : null);
      },
    );
    show($("queue-empty"), session.queue.length === 0);
    text($("queue-empty"), words.emptyQueue(session));
  }

  // On a screen that must not scroll (board.css gives the side column a fixed height and hides
  // what overflows it), show only the items that fit, whole, and say how many more there are.
  // Items left out stay in the page for screen readers; on phones the side column grows instead.
  const lists = [
    { list: $("next"), more: $("next-more") },
    { list: $("queue"), more: $("queue-more") },
  ];
  function paintLists() {
    for (const part of lists) {
      part.items.forEach((li, i) => li.classList.toggle("overflowed", i >= part.shown));
      const left = part.items.length - part.shown;
      show(part.more, left > 0);
      text(part.more, left > 0 ? tr("more", { n: left }) : "");
      attr(part.more, "data-count", left > 0 ? left : null);
    }
  }
  function fitLists(session = live.state) {
    const side = $("side");
    for (const part of lists) {
      part.items = Array.from(part.list.children);
      part.shown = part.items.length;
    }
    paintLists();
    if (getComputedStyle(side).overflowY === "visible") return;
    const overflows = () => side.scrollHeight > side.clientHeight + 1;
    // Trim the longer list first; on a tie, the queue, except in questions and answers.
    const qa = Boolean(session) && session.phase === "qa";
    const [next, queue] = lists;
    while (next.shown + queue.shown > 0 && overflows()) {
      const tie = qa ? next : queue;
      const longer = next.shown === queue.shown ? tie : next.shown > queue.shown ? next : queue;
      longer.shown -= 1;
      paintLists();
    }
    // Trimming one list at a time can take one item too many ("+1 more" above empty space):
    // give back, list by list (the one that matters now first), what still fits.
    for (const part of qa ? [queue, next] : [next, queue]) {
      while (part.shown < part.items.length) {
        part.shown += 1;
        paintLists();
        if (overflows()) {
          part.shown -= 1;
          paintLists();
          break;
        }
      }
    }
  }
  new ResizeObserver(() => fitLists()).observe($("side"));
  if (document.fonts) document.fonts.ready.then(() => fitLists());

  // Between sessions (a series link on a scheduled session): the rest of the day instead of the empty queue.
  function renderProgramme(session) {
    const later = session.phase === "scheduled" ? restOfDay(live.series, session, config.timezone) : [];
    reconcile(
      $("programme"),
      later,
      (s) => s.id,
      () => h("li", {}, h("span", { class: "who" }), h("span", { class: "what" })),
      (li, s) => {
        const [who, what] = li.children;
        text(who, clockTime(s.start, config.lang, config.timezone));
        text(what, tr("pre_session_of", { state: words.surName(s.state_under_review) }));
      },
    );
    // "Later today" only when the session is today; the evening before, its day is another one.
    const today = dayOf(session.start, config.timezone) === dayOf(serverNow(), config.timezone);
    text($("programme-heading"), tr(today ? "later_today" : "later_that_day"));
    show($("programme-section"), later.length > 0);
    show($("queue-section"), later.length === 0);
  }

  function render(session) {
    text($("sur"), tr("pre_session_of", { state: words.surName(session.state_under_review) }));
    text($("series-title"), session.title || "");
    text($("phase"), words.phase(session.phase));
    attr(document.body, "data-phase", session.phase);
    attr(document.body, "data-format", session.format);
    // The video slot is kept for virtual and hybrid sessions (video.js fills it).
    show($("video-slot"), session.format !== "in_person");
    const message = session.message && session.message.to === "room" ? session.message : null;
    show($("banner"), Boolean(message));
    text($("banner"), message ? message.text : "");
    const holder = words.holder(session);
    let title = holder.title;
    if (!session.floor && session.phase === "closed") title = tr("closed");
    else if (!session.floor && session.phase === "scheduled") title = nextSessionText(tr, words, config, session);
    text($("holder"), title);
    text($("floor-heading"), !session.floor && session.phase === "scheduled" ? tr("coming_up") : tr("floor_heading"));
    attr($("holder"), "data-kind", holder.kind || "none");
    const first = session.phase === "scheduled" ? nextSpeakerOf(session) : null;
    const details = first ? [tr("first_speaker", { name: words.speakerName(session, first) })] : holder.details;
    text($("holder-details"), details.join(" · "));
    renderProgramme(session);
    renderNext(session);
    renderQueue(session);
    fitLists(session);
  }

  live.addEventListener("state", (ev) => render(ev.detail));
  live.addEventListener("series", () => live.state && render(live.state));

  everyFrame((now) => {
    const session = live.state;
    if (!session) return;
    text($("now"), clockTime(now, config.lang, config.timezone));
    let planned;
    if (session.phase === "scheduled") planned = tr("starts", { time: clockTime(session.start, config.lang, config.timezone) });
    else if (session.phase === "closed" && session.closed_at)
      planned = tr("closed_at", { time: clockTime(session.closed_at, config.lang, config.timezone) });
    else planned = tr("ends", { time: clockTime(session.planned_end, config.lang, config.timezone) });
    text($("planned"), planned);
    const remaining = remainingMs(session.timer, now);
    const level = countdownLevel(session, remaining);
    const countdown = $("countdown");
    text(countdown, session.floor ? formatCountdown(remaining) : "");
    attr(countdown, "data-level", level);
    attr(countdown, "data-remaining-ms", session.floor ? Math.round(remaining) : null);
    show(countdown.parentElement, Boolean(session.floor));
    const cue = $("cue");
    let cueWords = "";
    if (level === "over") cueWords = tr("time_up");
    else if (level === "warning") cueWords = warningWords(tr, session.timer.warning_ms);
    else if (session.floor && session.timer.status === "paused") cueWords = tr("paused");
    text(cue, cueWords);
    attr(cue, "data-level", level);
    announcer.update(session, level);
  });
  return live;
}

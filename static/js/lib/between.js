// Between two sessions, on the screens that follow a series: what comes next ("Next:
// Pre-session on Chile, 11:00"), the rest of the day's programme, and the next session's
// first speaker. Which session is current is the server's answer (the `series` frame,
// core/follow.py); this module only words it.

import { clockTime, dayOf } from "./dates.js";

/** "Next: Pre-session on Chile, 11:00", in the page's language and the series' time zone. */
export function nextSessionText(tr, words, config, session) {
  return tr("next_session", {
    state: words.surName(session.state_under_review),
    time: clockTime(session.start, config.lang, config.timezone),
  });
}

/** The sessions of the series after `session` on the same day (its zone's day), not closed, in start order. */
export function restOfDay(series, session, timezone) {
  if (!series || !session) return [];
  const day = dayOf(session.start, timezone);
  return series.sessions.filter(
    (s) => s.id !== session.id && s.phase !== "closed" && s.start >= session.start && dayOf(s.start, timezone) === day,
  );
}

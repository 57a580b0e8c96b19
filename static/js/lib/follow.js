// A mission's choice between two sessions open at once. The series' current session is the
// server's answer (the `series` frame, core/follow.py); a mission that attends the other open
// one says so, and the phone stays there while that session is open (kept in localStorage, so
// a reload keeps it too), then follows the server's answer again.

/** The session to show: the chosen one while it is open, else the series' current one. */
export function target(series, chosen) {
  return chosen && series.open_session_ids.includes(chosen) ? chosen : series.current_session_id;
}

/** Let `live` (a following connection) keep to a mission's choice; returns {choose(sessionId)}. */
export function followWithChoice(live, seriesId) {
  const key = `moderator.choice.${seriesId}`;
  const read = () => {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  };
  const write = (value) => {
    try {
      if (value) localStorage.setItem(key, value);
      else localStorage.removeItem(key);
    } catch {
      /* storage refused: the choice lasts as long as the page */
    }
  };
  let chosen = read();
  live.choose = (series) => {
    if (chosen && !series.open_session_ids.includes(chosen)) {
      chosen = null; // that session closed (or never opened): follow the series again
      write(null);
    }
    return target(series, chosen);
  };
  return {
    choose(sessionId) {
      chosen = sessionId;
      write(sessionId);
      live.followSeries();
      if (live.series) live.dispatchEvent(new CustomEvent("series", { detail: live.series }));
    },
  };
}

// The "connection lost / reconnecting" badge of a screen, painted from its connection's state.

import { clientNow } from "./clock.js";
import { fill } from "./i18n.js";

/**
 * The badge in words, in the element `el` (the page's #connection), with the page's `messages`.
 * Assistive technology hears the steady sentence once (the badge is a status region); the
 * seconds to the next attempt are shown beside it but kept out of the announcements.
 */
export class Badge {
  constructor(el, messages = {}) {
    this.el = el;
    this.messages = messages;
  }

  /** Paint the state of `conn` (status, fatalCode, retryAt, connectingSince of a Live). */
  paint(conn) {
    const el = this.el;
    if (!el) return;
    const m = this.messages;
    let said = "";
    let shown = "";
    let kind = "";
    if (conn.status === "fatal") {
      kind = "fatal";
      said =
        conn.fatalCode === 4404
          ? m.not_found || "This session does not exist."
          : conn.fatalCode === 4401
            ? m.refused || "This link or token is not valid for this session."
            : m.broken || "The server refused this screen.";
    } else if (conn.status === "lost") {
      kind = "lost";
      said = m.reconnecting || "Connection lost. Reconnecting…";
      const wait = conn.retryAt ? Math.max(0, Math.ceil((conn.retryAt - clientNow()) / 1000)) : 0;
      if (wait > 0) shown = fill(m.reconnecting_in || "Connection lost. Reconnecting in %(s)s s…", { s: wait });
    } else if (conn.status === "connecting" && clientNow() - conn.connectingSince > 1500) {
      kind = "lost";
      said = m.connecting || "Connecting…";
    }
    if (!el.firstElementChild) {
      const heard = document.createElement("span");
      const seen = document.createElement("span");
      seen.setAttribute("aria-hidden", "true");
      el.replaceChildren(heard, seen);
    }
    const [heard, seen] = el.children;
    if (el.dataset.kind !== kind) {
      el.dataset.kind = kind;
      el.hidden = kind === "";
    }
    // While a countdown is shown, the steady sentence is there for screen readers only.
    heard.className = shown ? "visually-hidden" : "";
    if (heard.textContent !== said) heard.textContent = said;
    if (seen.textContent !== shown) seen.textContent = shown;
  }
}

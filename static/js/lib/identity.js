// This screen as the console lists it: its own client id (kept in localStorage, so a reload
// or a reconnection is the same screen, with the name the moderator gave it), and the large
// label it shows for a few seconds when the moderator asks "which one is this?".

import { h, show, text } from "./dom.js";

const KEY = "moderator.screen_id";

function freshId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The client id of this browser's screens (one per browser profile), made on first use. */
export function screenId() {
  try {
    let id = localStorage.getItem(KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
      id = freshId();
      localStorage.setItem(KEY, id);
    }
    return id;
  } catch {
    return freshId(); // storage refused (a private window): a new screen each time
  }
}

/** The words a screen's label shows: its name, else its kind and the end of its id. */
export function screenLabel(tr, { name, kind, screen_id: id }) {
  if (name) return name;
  return `${tr(`screen_${kind}`) || kind} · ${String(id).slice(-4).toUpperCase()}`;
}

/** Show the large identifying label whenever the server asks this screen to (an "identify" frame). */
export function showIdentity(live, tr) {
  let box = null;
  let hideTimer = null;
  live.addEventListener("screen", (ev) => {
    live.screenName = ev.detail.name || "";
  });
  live.addEventListener("identify", (ev) => {
    if (!box) {
      box = h("div", { class: "identify", role: "status", "aria-live": "assertive", id: "identify" }, h("p", { class: "identify-label" }), h("p", { class: "identify-hint" }));
      document.body.append(box);
    }
    const [label, hint] = box.children;
    text(label, screenLabel(tr, ev.detail));
    text(hint, tr("identify_hint"));
    show(box, true);
    window.clearTimeout(hideTimer);
    hideTimer = window.setTimeout(() => show(box, false), Math.max(1, ev.detail.seconds) * 1000);
  });
}

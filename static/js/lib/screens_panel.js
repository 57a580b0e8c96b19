// The console's list of connected screens, as Ontime lists its clients: every screen open on
// the series (kind, language, session, how long connected, clock offset and round trip, as each
// page measured them), a button that makes one show its large label, and a name for it that the
// server keeps (runtime/screens.py). A dialog that opens with D, so it takes no room on the console.

import { serverNow } from "./clock.js";
import { formatDuration } from "./countdown.js";
import { h, reconcile, show, text } from "./dom.js";
import { pageConfig } from "./config.js";
import { translator } from "./i18n.js";
import { screenId, screenLabel } from "./identity.js";

const REFRESH_MS = 2000;

/** Words for a clock offset (server minus screen): how far the screen's own clock is ahead or behind. */
export function offsetWords(tr, lang, offsetMs) {
  if (offsetMs == null) return tr("clock_unknown");
  if (Math.abs(offsetMs) < 50) return tr("clock_in_step");
  const s = new Intl.NumberFormat(lang, { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(Math.abs(offsetMs) / 1000);
  return offsetMs < 0 ? tr("clock_ahead", { s }) : tr("clock_behind", { s });
}

/** Wire the dialog of displays/_screens_panel.html to the console's live connection. */
export function startScreensPanel(live, config) {
  const $ = (id) => document.getElementById(id);
  const dialog = $("screens-dialog");
  if (!dialog) return;
  const tr = translator({ ...pageConfig("strings"), ...pageConfig("screens-strings") });
  const me = screenId();
  // Each cell carries its column's heading, shown beside it where the table is one column (phones).
  const headings = Array.from(document.querySelectorAll("#screens-table thead th"), (th) => th.textContent.trim());
  let rows = [];
  let listedAt = 0;
  let refresh = null;

  const showError = (message) => {
    show($("screens-error"), Boolean(message));
    text($("screens-error"), message || "");
  };

  async function load() {
    try {
      const ack = await live.send("screens.list");
      rows = ack.screens;
      listedAt = ack.server_time;
      paint();
      showError("");
    } catch (err) {
      showError(err.message);
    }
  }

  function sessionWords(row) {
    const bits = [row.state_under_review ? tr("pre_session_of", { state: config.countries[row.state_under_review.code] || row.state_under_review.name }) : ""];
    if (row.follows) bits.push(tr("follows"));
    return bits.filter(Boolean).join(" · ");
  }

  function paint() {
    const now = listedAt ? serverNow() : 0;
    reconcile(
      $("screens-rows"),
      rows,
      (r) => `${r.screen_id}|${r.session_id}|${r.connected_at}`,
      (r) => {
        const input = h("input", { type: "text", class: "screen-name", maxlength: config.screen_name_max, placeholder: tr("name_placeholder") });
        const save = h("button", { type: "submit", class: "secondary" }, tr("save_name"));
        const form = h("form", { class: "name-form" }, input, save);
        form.addEventListener("submit", async (ev) => {
          ev.preventDefault();
          try {
            await live.send("screens.name", { screen_id: r.screen_id, name: input.value });
            input.dataset.saved = input.value.trim();
            await load();
          } catch (err) {
            showError(err.message);
          }
        });
        const identify = h("button", { type: "button", class: "primary identify-button" }, tr("identify"));
        identify.addEventListener("click", async () => {
          try {
            await live.send("screens.identify", { screen_id: r.screen_id });
          } catch (err) {
            showError(err.message);
          }
        });
        const cell = (i, ...content) => h(i === 0 ? "th" : "td", i === 0 ? { scope: "row" } : { dataset: { label: headings[i] || "" } }, ...content);
        const last = h("td", {}, identify); // its heading is for screen readers only: the button says it
        return h("tr", { dataset: { screen: r.screen_id } }, cell(0), cell(1), cell(2), cell(3), cell(4), cell(5), cell(6, form), last);
      },
      (tr_, r) => {
        const [label, lang, session, since, offset, rtt, nameCell] = tr_.children;
        text(label, screenLabel(tr, r) + (r.screen_id === me ? ` (${tr("this_console")})` : ""));
        text(lang, tr(`lang_${r.lang}`));
        text(session, sessionWords(r));
        text(since, formatDuration(now - r.connected_at));
        text(offset, offsetWords(tr, config.lang, r.offset_ms));
        text(rtt, r.rtt_ms == null ? "—" : tr("rtt", { n: r.rtt_ms }));
        const input = nameCell.querySelector("input");
        input.setAttribute("aria-label", tr("name_for", { screen: screenLabel(tr, { ...r, name: "" }) }));
        if (document.activeElement !== input && input.value !== r.name) input.value = r.name;
      },
    );
  }

  function open() {
    if (dialog.open) return;
    dialog.showModal();
    load();
    refresh = window.setInterval(() => {
      load();
    }, REFRESH_MS);
  }
  dialog.addEventListener("close", () => {
    window.clearInterval(refresh);
    refresh = null;
  });
  $("screens-close").addEventListener("click", () => dialog.close());
  const button = $("screens-open");
  if (button) button.addEventListener("click", open);

  // While the dialog is open, the console's own shortcuts (Space, N, F…) must not fire behind it.
  document.addEventListener(
    "keydown",
    (ev) => {
      if (dialog.open && ev.key !== "Escape") ev.stopPropagation();
    },
    true,
  );
  // The clock of "connected for" moves between two lists.
  window.setInterval(() => dialog.open && paint(), 1000);
}

// The printable join cards: fetched with the moderator token (kept in this tab only,
// sent in a header, never in a URL the server sees) and shown ready to print.

import { boot } from "../lib/boot.js";
import { show } from "../lib/dom.js";
import { takeToken } from "../lib/token.js";

const { config, tr } = boot();
const $ = (id) => document.getElementById(id);
const TOKEN_KEY = `upr-moderator-token:${config.series_id}`;


function askForToken(error) {
  show($("auth"), true);
  show($("auth-error"), Boolean(error));
  $("auth-error").textContent = error || "";
  $("token-input").focus();
}

async function load(token) {
  const response = await fetch(config.sheet_url, {
    headers: { Authorization: `Bearer ${token}`, Accept: "text/html" },
    cache: "no-store",
  });
  if (response.status === 401 || response.status === 403) {
    sessionStorage.removeItem(TOKEN_KEY);
    askForToken(tr("token_refused"));
    return;
  }
  if (!response.ok) {
    askForToken(tr("failed", { reason: `${response.status} ${response.statusText}` }));
    return;
  }
  // Our own server-rendered, escaped markup (names, links and QR codes as SVG).
  $("sheet").innerHTML = await response.text();
  document.body.dataset.loaded = "true";
}

$("auth-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const value = $("token-input").value.trim();
  if (!value) return;
  sessionStorage.setItem(TOKEN_KEY, value);
  show($("auth"), false);
  load(value).catch((err) => askForToken(tr("failed", { reason: err.message })));
});

$("print").addEventListener("click", () => window.print());

const token = takeToken(TOKEN_KEY);
if (token) load(token).catch((err) => askForToken(tr("failed", { reason: err.message })));
else askForToken("");

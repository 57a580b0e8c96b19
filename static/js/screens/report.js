// The organisers' report of the week: fetched with the admin or moderator token (kept in this
// tab only, sent in a header, never in a URL the server sees), shown ready to print on A4,
// with its CSV and spreadsheet downloaded the same way.

import { boot } from "../lib/boot.js";
import { show } from "../lib/dom.js";
import { takeToken } from "../lib/token.js";

const { config, tr } = boot();
const $ = (id) => document.getElementById(id);
const TOKEN_KEY = `upr-moderator-token:${config.series_id}`;
let token = null;

function askForToken(error) {
  show($("auth"), true);
  show($("auth-error"), Boolean(error));
  $("auth-error").textContent = error || "";
  $("token-input").focus();
}

function authorised(response) {
  if (response.status === 401 || response.status === 403) {
    sessionStorage.removeItem(TOKEN_KEY);
    askForToken(tr("token_refused"));
    return false;
  }
  return true;
}

async function load(value) {
  const response = await fetch(config.sheet_url, {
    headers: { Authorization: `Bearer ${value}`, Accept: "text/html" },
    cache: "no-store",
  });
  if (!authorised(response)) return;
  if (!response.ok) {
    askForToken(tr("failed", { reason: `${response.status} ${response.statusText}` }));
    return;
  }
  token = value;
  // Our own server-rendered, escaped markup.
  $("sheet").innerHTML = await response.text();
  $("csv").disabled = false;
  $("xlsx").disabled = false;
  document.body.dataset.loaded = "true";
}

// The file name the server gives (Content-Disposition's filename*), else `fallback`.
function fileName(response, fallback) {
  const header = response.headers.get("Content-Disposition") || "";
  const match = /filename\*=UTF-8''([^;]+)/.exec(header);
  return match ? decodeURIComponent(match[1]) : fallback;
}

async function download(url, fallback) {
  show($("download-error"), false);
  try {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });
    if (!authorised(response)) return;
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    const blob = await response.blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = fileName(response, fallback);
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  } catch (err) {
    $("download-error").textContent = tr("download_failed", { reason: err.message });
    show($("download-error"), true);
  }
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
$("csv").addEventListener("click", () => download(config.csv_url, "report.csv"));
$("xlsx").addEventListener("click", () => download(config.xlsx_url, "report.xlsx"));

const first = takeToken(TOKEN_KEY);
if (first) load(first).catch((err) => askForToken(tr("failed", { reason: err.message })));
else askForToken("");

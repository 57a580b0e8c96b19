// Creating a series (admin token): from a spreadsheet, previewed before anything is created,
// or from a short form. Either way the new series' workspace opens with its moderator token.

import { Api, problems, refusal } from "../lib/api.js";
import { pageConfig } from "../lib/config.js";
import { clockTime } from "../lib/dates.js";
import { h, show } from "../lib/dom.js";
import { fill, translator } from "../lib/i18n.js";
import { renderProblems, renderWarnings } from "../lib/preview.js";
import { takeToken } from "../lib/token.js";

const config = pageConfig();
const strings = pageConfig("strings");
const tr = translator(strings);
const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "upr-admin-token";
const LANG = config.lang;

let api = null;
let sheet = null; // {file, params} of the previewed spreadsheet

function askForToken(error) {
  show($("main"), false);
  show($("auth"), true);
  show($("auth-error"), Boolean(error));
  $("auth-error").textContent = error || "";
  $("token-input").focus();
}

function begin(token) {
  api = new Api(token, LANG);
  show($("auth"), false);
  show($("main"), true);
}

$("auth-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const value = $("token-input").value.trim();
  if (!value) return;
  sessionStorage.setItem(TOKEN_KEY, value);
  begin(value);
  $("sheet-input").focus();
});

/** The answer of a create: 401/403 ask for the token again; else true when it was accepted. */
function refusedToken(answer) {
  if (answer.status === 401 || answer.status === 403) {
    sessionStorage.removeItem(TOKEN_KEY);
    askForToken(tr("admin_refused"));
    return true;
  }
  return false;
}

/** Open the new series' workspace, its moderator token in the fragment (never sent to the server). */
function openWorkspace(created) {
  const url = fill(config.urls.workspace, { series_id: created.series_id });
  location.assign(`${url}?lang=${LANG}#token=${encodeURIComponent(created.moderator_token)}`);
}

// ---- from a spreadsheet --------------------------------------------------------------------

function sheetUrl(dryRun) {
  const params = new URLSearchParams(sheet.params);
  if (dryRun) params.set("dry_run", "true");
  return `${config.urls.sheet_upload}?${params}`;
}

function outline(preview) {
  const series = preview.series;
  const rows = series.sessions.map((s) =>
    h(
      "tr",
      {},
      h("td", { text: clockTime(s.start, LANG, series.timezone, false, Date.now() + 10 * 365 * 86400000) }),
      h("td", { text: config.countries[s.state_under_review] || s.state_under_review }),
      h("td", { text: tr(`format_${s.format}`) }),
      h("td", { text: tr("minutes", { n: s.minutes }) }),
      h("td", { text: s.speakers.join(", ") || "—" }),
    ),
  );
  return [
    h("p", { class: "preview-title" }, h("strong", { text: series.title }), ` · ${tr(`format_${series.format}`)} · ${series.timezone}`),
    h("p", { text: [tr("sessions_count", { n: series.sessions.length }), tr("missions_count", { n: series.delegations })].join(" · ") }),
    h(
      "table",
      { class: "outline" },
      h("thead", {}, h("tr", {}, [tr("field_date"), tr("sur_heading"), tr("field_format"), tr("field_minutes"), tr("speakers_heading")].map((t) => h("th", { scope: "col", text: t })))),
      h("tbody", {}, rows),
    ),
  ];
}

$("sheet-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const file = $("sheet-input").files[0];
  if (!file) return;
  const params = { filename: file.name };
  if ($("sheet-title").value.trim()) params.title = $("sheet-title").value.trim();
  params.format = $("sheet-format").value;
  sheet = { file, params };
  const answer = await api.request("POST", sheetUrl(true), { body: file, type: file.type || "application/octet-stream" });
  if (refusedToken(answer)) return;
  const body = $("preview-body");
  show($("preview"), true);
  if (answer.ok) {
    body.replaceChildren(...outline(answer.body));
    renderWarnings(body, answer.body.warnings, tr);
    show($("accept"), true);
  } else {
    renderProblems(body, problems(answer).length ? problems(answer) : [tr("failed", { reason: answer.status })], tr);
    show($("accept"), false);
  }
  $("preview").focus();
});

$("accept").addEventListener("click", async () => {
  if (!sheet) return;
  const answer = await api.request("POST", sheetUrl(false), { body: sheet.file, type: sheet.file.type || "application/octet-stream" });
  if (refusedToken(answer)) return;
  if (answer.status === 201) {
    $("notice").textContent = tr("created");
    openWorkspace(answer.body);
  } else {
    renderProblems($("preview-body"), problems(answer), tr);
    show($("accept"), false);
  }
});

$("discard").addEventListener("click", () => {
  show($("preview"), false);
  sheet = null;
  $("sheet-input").focus();
});

// ---- from a form --------------------------------------------------------------------------

function addSession() {
  const row = $("session-row").content.firstElementChild.cloneNode(true);
  row.querySelector(".remove-session").addEventListener("click", () => {
    row.remove();
    $("add-session").focus();
  });
  $("form-sessions").append(row);
  row.querySelector("select").focus();
}

$("add-session").addEventListener("click", addSession);

$("series-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const sessions = Array.from($("form-sessions").children).map((row) => {
    const get = (name) => row.querySelector(`[name=${name}]`).value;
    const minutes = get("minutes");
    return {
      key: get("state"),
      state_under_review: get("state"),
      start: `${get("date")}T${get("time")}:00`,
      ...(minutes ? { minutes: Number(minutes) } : {}),
    };
  });
  const doc = {
    title: $("form-title").value,
    format: $("form-format").value,
    venue: $("form-venue").value,
    timezone: $("form-timezone").value,
    sessions,
    // All Permanent Missions are invited, the SuR's included, as for a spreadsheet.
    delegations: Object.keys(config.countries).map((state) => ({ state })),
  };
  const answer = await api.request("POST", config.urls.create, { json: doc });
  if (refusedToken(answer)) return;
  if (answer.status === 201) openWorkspace(answer.body);
  else {
    $("notice").textContent = refusal(answer, tr("failed", { reason: answer.status }));
    $("notice").classList.add("error");
  }
});

addSession();
const given = takeToken(TOKEN_KEY);
if (given) begin(given);
else askForToken("");

// What an upload will do, in words: the changes a PUT preview lists (added, changed, moved,
// removed), the refusals (conflicts) and warnings; or the outline of a series to create.

import { h } from "./dom.js";

const KINDS = ["added", "changed", "moved", "removed"];

function at(doc, where) {
  const match = /^sessions\[(\d+)\](?:\.speakers\[(\d+)\])?/.exec(where || "");
  if (!match || !doc) return {};
  const session = (doc.sessions || [])[Number(match[1])];
  const speaker = session && match[2] != null ? (session.speakers || [])[Number(match[2])] : null;
  return { session, speaker };
}

function shown(field, value, tr) {
  if (value == null || value === "") return "—";
  if (typeof value === "boolean") return value ? "✓" : "✗";
  if (field === "format" || field === "kind") return tr(`${field}_${value}`);
  if (field === "language") return tr(`lang_${value}`);
  return String(value);
}

/**
 * One change in words. `words`: {tr, countryName(code), fieldLabels}; `doc`: the new document
 * (for added, changed, moved), `current`: the agenda as it stands (for removed).
 */
export function describeChange(change, doc, current, words) {
  const { tr } = words;
  const source = change.change === "removed" ? current : doc;
  const { session, speaker } = at(source, change.where);
  let title;
  if (change.what === "series") title = tr("preview_series");
  else if (change.what === "delegation") title = words.countryName(change.state);
  else if (change.what === "session") {
    const code = session ? session.state_under_review : change.key;
    title = tr("preview_session", { key: change.key, state: words.countryName(code) });
  } else {
    const name = change.name || (speaker && speaker.name) || change.key;
    title = tr("preview_speaker", { name, key: session ? session.key : "" });
  }
  const details = [];
  for (const [field, values] of Object.entries(change.fields || {})) {
    const label = (words.fieldLabels || {})[field] || field;
    details.push(`${label}: ${shown(field, values.old, tr)} → ${shown(field, values.new, tr)}`);
  }
  if (change.change === "moved" && change.position != null) details.push(tr("preview_position", { n: change.position + 1 }));
  return { title, details };
}

/** The preview of a PUT (`{changes, conflicts, warnings}`) as DOM nodes. */
export function renderChanges(container, preview, doc, current, words) {
  const { tr } = words;
  container.replaceChildren();
  const changes = preview.changes || [];
  const conflicts = preview.conflicts || [];
  if (!changes.length && !conflicts.length) container.append(h("p", { class: "empty", text: tr("preview_none") }));
  for (const kind of KINDS) {
    const items = changes.filter((c) => c.change === kind);
    if (!items.length) continue;
    container.append(
      h("h3", { class: `change-${kind}`, text: `${tr(`preview_${kind}`)} (${items.length})` }),
      h(
        "ul",
        { class: `changes change-${kind}` },
        items.map((c) => {
          const { title, details } = describeChange(c, doc, current, words);
          return h("li", {}, h("strong", { text: title }), details.length ? h("span", { class: "details", text: ` ${details.join(" · ")}` }) : null);
        }),
      ),
    );
  }
  if (conflicts.length) {
    container.append(
      h("h3", { class: "conflicts", text: tr("preview_conflicts") }),
      h("ul", { class: "changes conflicts", role: "alert" }, conflicts.map((c) => h("li", { text: c.message }))),
    );
  }
  renderWarnings(container, preview.warnings, tr);
}

/** A refused spreadsheet: every problem at its row and column. */
export function renderProblems(container, sentences, tr) {
  container.replaceChildren(
    h("h3", { class: "conflicts", text: tr("preview_problems") }),
    h("ul", { class: "changes conflicts", role: "alert" }, sentences.map((s) => h("li", { text: s }))),
  );
}

export function renderWarnings(container, warnings, tr) {
  if (!warnings || !warnings.length) return;
  container.append(
    h("h3", { text: tr("preview_warnings") }),
    h("ul", { class: "changes warnings" }, warnings.map((w) => h("li", { text: typeof w === "string" ? w : w.message }))),
  );
}

// The written statements a mission may open from its phone during the session it follows:
// a list of links (each carries the mission's own join token, its authority), filled from
// the server's list (`GET /join/{token}/statements`). No page code runs at import.

import { h } from "./dom.js";

/** The statements the server lists now for this phone: [{speaker_id, position, name, organisation, url}]. */
export async function fetchStatements(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
  if (!response.ok) return [];
  const body = await response.json();
  return Array.isArray(body.statements) ? body.statements : [];
}

/**
 * Show `items` in the list `list` (emptied first); `section` is hidden when there are none.
 * A speaker without a public name is named by their place (`unnamed(n)`), as on every public screen.
 */
export function showStatements(section, list, items, unnamed = (n) => String(n)) {
  list.replaceChildren(
    ...items.map((s) =>
      h(
        "li",
        { dataset: { speaker: s.speaker_id } },
        h("a", { href: s.url, target: "_blank", rel: "noopener", type: "application/pdf" }, s.name || unnamed(s.position)),
        s.organisation ? h("span", { class: "statement-org" }, s.organisation) : null,
      ),
    ),
  );
  section.hidden = items.length === 0;
}

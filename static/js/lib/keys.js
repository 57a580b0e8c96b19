// The console's keys as the server declares them (moderator/web/keys.py, `config.keys`): which
// action a key press means. Pure (no DOM): tests/js/keys.test.mjs presses keys of QWERTY, AZERTY
// and Spanish keyboards through it.

/**
 * The action a keydown means, or null. `event.key` is the character the keyboard types (so the
 * letter on a button is the letter on the keycap, wherever the layout puts it), lower-cased;
 * `event.code` serves where the character depends on the layout (digits: "&" on AZERTY).
 * Ctrl, Alt and Meta combinations stay the browser's.
 */
export function keyAction(keys, event) {
  if (!event || event.ctrlKey || event.metaKey || event.altKey) return null;
  const key = typeof event.key === "string" ? event.key.toLowerCase() : "";
  for (const k of keys) if (k.keys.includes(key)) return k.action;
  for (const k of keys) if (event.code && k.codes.includes(event.code)) return k.action;
  return null;
}

/** The label a button shows for `action` ("N", "Space"), or "". */
export function keyLabel(keys, action) {
  const k = keys.find((x) => x.action === action);
  return k ? k.label : "";
}

// Translated words on the page: the template's strings, their plural forms and `%(name)s` placeholders.

/** Fill `%(name)s` placeholders of a translated string. */
export function fill(text, params = {}) {
  return String(text).replace(/%\(([a-z_]+)\)s/g, (whole, key) => (key in params ? String(params[key]) : whole));
}

/**
 * A translator over the page's strings: tr("key", {n: 3}). Unknown keys show as themselves.
 * A string with plural forms ({"one": …, "other": …}, from the template's two-argument
 * ngettext) takes the form `n` needs under the plural rules of `lang` (the page's language).
 */
export function translator(strings, lang = typeof document === "undefined" ? "en" : document.documentElement.lang) {
  const rules = new Intl.PluralRules(lang || "en");
  return (key, params) => {
    let value = key in strings ? strings[key] : key;
    if (value && typeof value === "object") {
      value = rules.select(Number(params && params.n)) === "one" ? value.one : value.other;
    }
    return fill(value, params);
  };
}

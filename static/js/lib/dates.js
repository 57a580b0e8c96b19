// Dates and times of day as the screens write them: in the page's language and the series'
// time zone, a time of another day with its date.

import { serverNow } from "./clock.js";

const formats = new Map();

/** An Intl.DateTimeFormat, made once per language, time zone and options (drawn every frame). */
function formatter(lang, timeZone, opts) {
  const key = `${lang}|${timeZone || ""}|${JSON.stringify(opts)}`;
  let f = formats.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(lang, timeZone ? { ...opts, timeZone } : opts);
    } catch {
      f = new Intl.DateTimeFormat(lang, opts); // an unknown zone: the browser's own
    }
    formats.set(key, f);
  }
  return f;
}

/** The calendar day of `ms` in `timeZone`, as "YYYY-MM-DD". */
export function dayOf(ms, timeZone) {
  const parts = formatter("en", timeZone, { year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date(ms));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** A date alone ("Mon, Nov 30" / "lun. 30 nov."), in the page's language, the year only if not this one's. */
export function clockDate(ms, lang, timeZone, today = serverNow()) {
  const opts = { weekday: "short", day: "numeric", month: "short" };
  if (dayOf(ms, timeZone).slice(0, 4) !== dayOf(today, timeZone).slice(0, 4)) opts.year = "numeric";
  // Kept on one line: a date cut in two ("lun. / 30 nov.") reads as two things.
  return formatter(lang, timeZone, opts).format(new Date(ms)).replace(/ /g, "\u00a0");
}

/**
 * Format an absolute server time as a wall-clock time of the series' place, with its date in
 * brackets when it is not on the day of `today` (the server's now unless given; null: never a
 * date), so that a time of yesterday or tomorrow never passes for one of today.
 */
export function clockTime(ms, lang, timeZone, withSeconds = false, today = serverNow()) {
  if (ms == null) return "—";
  const opts = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (withSeconds) opts.second = "2-digit";
  const clock = formatter(lang, timeZone, opts).format(new Date(ms));
  // The time first, so that it reads in a sentence ("Starts at 12:00 (Wed, Dec 2)").
  if (today != null && dayOf(ms, timeZone) !== dayOf(today, timeZone)) return `${clock} (${clockDate(ms, lang, timeZone, today)})`;
  return clock;
}

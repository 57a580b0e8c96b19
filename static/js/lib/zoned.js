// Wall-clock times of the series' place, both ways, with the browser's own time-zone data
// (Intl): a session's start as the date and time fields show it, and those fields back to the
// ISO 8601 instant with its offset that `session.update` takes (the core knows no time zone).

const formats = new Map();

function parts(ms, timeZone) {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(timeZone, f);
  }
  const out = {};
  for (const p of f.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** The offset of `timeZone` from UTC at the instant `ms`, in minutes (Geneva in winter: 60). */
export function offsetMinutes(ms, timeZone) {
  const p = parts(ms, timeZone);
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second);
  return Math.round((wall - Math.floor(ms / 1000) * 1000) / 60000);
}

/** `{date: "YYYY-MM-DD", time: "HH:MM"}` of the instant `ms` in `timeZone`. */
export function localFields(ms, timeZone) {
  const p = parts(ms, timeZone);
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

function pad(n) {
  return String(Math.floor(Math.abs(n))).padStart(2, "0");
}

/**
 * The ISO 8601 instant, with its offset, of the wall-clock `date` ("2030-12-10") and `time`
 * ("10:00") in `timeZone`: "2030-12-10T10:00:00+01:00". In a gap (the spring change) the time
 * is taken with the offset before it, as most calendars do.
 */
export function zonedIso(date, time, timeZone) {
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  let offset = offsetMinutes(wall, timeZone);
  offset = offsetMinutes(wall - offset * 60000, timeZone);
  const sign = offset < 0 ? "-" : "+";
  return `${date}T${pad(h)}:${pad(mi)}:00${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

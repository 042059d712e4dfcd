// Date helpers for native <input type="date|time"> values and the shell's Unix-ms timestamps.
// The browser's Date does the calendar arithmetic so daylight-saving changes come out right for
// the day in question, not for today.

export const DAY_MS = 86_400_000;

/** "2025-03-04" → [2025, 3, 4]; anything else → null. */
export function parseDateInput(value: string): [number, number, number] | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  // Reject 31 Feb and friends instead of letting Date roll them into March.
  const probe = new Date(y, mo - 1, d);
  if (probe.getFullYear() !== y || probe.getMonth() !== mo - 1 || probe.getDate() !== d) return null;
  return [y, mo, d];
}

/** "17:05" or "17:05:30" → [17, 5]; anything else → null. */
export function parseTimeInput(value: string): [number, number] | null {
  const m = /^(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(value.trim());
  if (!m) return null;
  const [h, min] = [Number(m[1]), Number(m[2])];
  if (h > 23 || min > 59) return null;
  return [h, min];
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0");

/** Minutes east of UTC → "+05:30", "-04:00", "+00:00". */
export function formatOffset(minutesEast: number): string {
  const sign = minutesEast < 0 ? "-" : "+";
  const abs = Math.abs(minutesEast);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A local Date as RFC 3339 with the offset that applies on that date. */
export function toRfc3339Local(d: Date): string {
  const date = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${date}T${time}${formatOffset(-d.getTimezoneOffset())}`;
}

/** When only a date is given, the task is due by the end of that day. */
export const DEFAULT_DUE_TIME = "23:59";

/** The local moment named by a date input and an optional time input, or null. */
export function localMoment(date: string, time: string): Date | null {
  const d = parseDateInput(date);
  if (!d) return null;
  const t = parseTimeInput(time.trim() === "" ? DEFAULT_DUE_TIME : time);
  if (!t) return null;
  return new Date(d[0], d[1] - 1, d[2], t[0], t[1], 0, 0);
}

/** Date + time inputs → RFC 3339 with the local offset, or null when no date is given. */
export function dueToRfc3339(date: string, time: string): string | null {
  const m = localMoment(date, time);
  return m ? toRfc3339Local(m) : null;
}

/**
 * A datetime-local input's value ("2025-03-04T17:05") → RFC 3339 with the offset that applies
 * on that day, or null when it is empty or not a moment. Unlike a date alone, no time means no
 * moment: the input always gives both.
 */
export function datetimeLocalToRfc3339(value: string): string | null {
  const [date, time, ...rest] = value.trim().split("T");
  if (rest.length > 0 || !date || !time) return null;
  return dueToRfc3339(date, time);
}

/** Unix ms → the value a datetime-local input shows for that local moment, to the minute. */
export function toDatetimeLocal(ms: number): string {
  const d = new Date(ms);
  return `${toDateInput(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Local midnight at the start of a date input's day, in Unix ms. */
export function startOfLocalDay(date: string): number | null {
  const d = parseDateInput(date);
  return d ? new Date(d[0], d[1] - 1, d[2]).getTime() : null;
}

/** Local midnight after a date input's day: the exclusive end of a range that includes it. */
export function startOfNextLocalDay(date: string): number | null {
  const d = parseDateInput(date);
  return d ? new Date(d[0], d[1] - 1, d[2] + 1).getTime() : null;
}

/** The local UTC offset in ms (east positive), as the shell's stats query expects it. */
export function localOffsetMs(at: Date = new Date()): number {
  return -at.getTimezoneOffset() * 60_000;
}

/** Days since the Unix epoch in a zone with the given offset; matches the shell's bucketing. */
export function dayNumber(ms: number, offsetMs: number): number {
  return Math.floor((ms + offsetMs) / DAY_MS);
}

export interface DayWindow {
  from: number;
  to: number;
  offsetMs: number;
  firstDay: number;
  days: number;
}

/** The last `days` local days up to and including today, for the completions chart. */
export function lastDays(days: number, now: Date = new Date()): DayWindow {
  const y = now.getFullYear();
  const m = now.getMonth();
  const d = now.getDate();
  const offsetMs = localOffsetMs(now);
  return {
    from: new Date(y, m, d - (days - 1)).getTime(),
    to: new Date(y, m, d + 1).getTime(),
    offsetMs,
    // Counted back from today so the buckets line up with the shell's, even across a DST change.
    firstDay: dayNumber(now.getTime(), offsetMs) - (days - 1),
    days,
  };
}

/** "YYYY-MM-DD" for a local Date, as a date input wants its value. */
export function toDateInput(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

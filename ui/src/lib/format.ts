// How times, durations and domain words read on screen. Locale-aware where Intl can do it; the
// locale parameter exists so tests can pin one.

import type { EventKind, JsonValue, OutboxEntry, TaskRow, TaskStatus } from "./api";
import { DAY_MS } from "./time";

/** A duration as people say it: "45 min", "3 h 20 min", "2 d 4 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return "—";
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "under 1 min";
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 24 * 60) {
    const h = Math.floor(minutes / 60);
    const min = minutes % 60;
    return min ? `${h} h ${min} min` : `${h} h`;
  }
  const hours = Math.round(ms / 3_600_000);
  const d = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${d} d ${h} h` : `${d} d`;
}

function sameLocalDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** A moment split for narrow columns: ["Today", "14:05"], ["3 Mar", "08:00"], ["3 Mar 2023", "08:00"]. */
export function whenParts(ms: number, now: Date = new Date(), locale?: string): [string, string] {
  const d = new Date(ms);
  const time = d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  const offsetDay = (n: number) => new Date(now.getFullYear(), now.getMonth(), now.getDate() + n);
  if (sameLocalDay(d, now)) return ["Today", time];
  if (sameLocalDay(d, offsetDay(-1))) return ["Yesterday", time];
  if (sameLocalDay(d, offsetDay(1))) return ["Tomorrow", time];
  const date = d.toLocaleDateString(locale, {
    day: "numeric",
    month: "short",
    year: d.getFullYear() === now.getFullYear() ? undefined : "numeric",
  });
  return [date, time];
}

/** A short moment for lists: "Today 14:05", "Yesterday 09:12", "3 Mar 14:05", "3 Mar 2023 14:05". */
export function formatWhen(ms: number | null | undefined, now: Date = new Date(), locale?: string): string {
  if (ms == null) return "—";
  return whenParts(ms, now, locale).join(" ");
}

/** How far a moment is from now: "in 3 h 20 min", "45 min ago", "now" within the minute. */
export function formatRelative(ms: number, now: Date = new Date()): string {
  const diff = ms - now.getTime();
  if (Math.abs(diff) < 60_000) return "now";
  return diff > 0 ? `in ${formatDuration(diff)}` : `${formatDuration(-diff)} ago`;
}

/** Who a task is with: the person, the team, or both; an id only when no name is known. */
export function assignedTo(r: Pick<TaskRow, "assignee_id" | "assignee_name" | "team_id" | "team_name">): string {
  if (r.assignee_name && r.team_name) return `${r.assignee_name} · ${r.team_name}`;
  return r.assignee_name ?? r.team_name ?? r.assignee_id ?? r.team_id ?? "—";
}

/** Who the task is for. Canvas often names the patient by reference alone, and a list that said
 * "No patient" then would be wrong: say there is one whose name was not given. */
export function patientOf(r: Pick<TaskRow, "patient_id" | "patient_name">): string {
  if (r.patient_name) return r.patient_name;
  return r.patient_id ? "Patient (name not given)" : "No patient";
}

/** The full moment, for tooltips and screen readers. */
export function formatFull(ms: number | null | undefined, locale?: string): string {
  if (ms == null) return "";
  return new Date(ms).toLocaleString(locale, { dateStyle: "full", timeStyle: "short" });
}

/** A birth date ("1990-01-02") without any time-zone shift. */
export function formatBirthDate(value: string | null | undefined, locale?: string): string {
  if (!value) return "";
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return value;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toLocaleDateString(locale, { timeZone: "UTC", day: "numeric", month: "short", year: "numeric" });
}

/**
 * A chart day number (days since the epoch in local time) as "Mon 3 Mar". Built from the parts
 * rather than the locale's punctuation, which differs between ICU versions (WebKit's, Node's).
 */
export function formatDay(day: number, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" })
    .formatToParts(new Date(day * DAY_MS))
    .filter((p) => p.type !== "literal")
    .map((p) => p.value)
    .join(" ");
}

export const STATUS_LABEL: Record<TaskStatus, string> = {
  open: "Open",
  completed: "Completed",
  closed: "Closed",
};

export const KIND_LABEL: Record<EventKind, string> = {
  created: "Created",
  updated: "Updated",
  completed: "Completed",
  closed: "Closed",
  reopened: "Reopened",
  commented: "Commented",
  assigned: "Assigned",
  unassigned: "Unassigned",
  started: "Started",
  paused: "Paused",
};

export const SOURCE_LABEL: Record<string, string> = {
  api: "Taskbell",
  socket: "Canvas plugin",
  webhook: "webhook",
  poll: "Canvas API check",
  fragment: "Fragment",
};

export const OUTBOX_LABEL: Record<OutboxEntry["state"], string> = {
  pending: "Waiting to send",
  sending: "Sending to Canvas",
  uncertain: "Sent — waiting for Canvas to confirm",
  created: "Sent to Canvas",
  done: "Done in Canvas",
  failed: "Could not be sent",
};

/**
 * A timeline event's kind, source or status in words. The timeline keeps them as the text it
 * stored, so one this window does not know reads as it is.
 */
export function wordFor(labels: Readonly<Record<string, string>>, key: string): string {
  return Object.hasOwn(labels, key) ? labels[key] : key;
}

const DETAIL_LABEL: Record<string, string> = {
  description: "Description",
  owner: "Assigned to",
  due: "Due",
  external_id: "External id",
};

/** What an event's detail says, as label/value pairs a person can read. */
export function describeDetail(detail: JsonValue | undefined, locale?: string): [string, string][] {
  if (!detail || typeof detail !== "object" || Array.isArray(detail)) return [];
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(detail)) {
    if (value == null || value === "") continue;
    if (key === "stale") {
      if (value === true) out.push(["Note", "Arrived after a newer change, so it did not change the status"]);
      continue;
    }
    if (key === "hint") {
      if (value === true) out.push(["Note", "Said the task changed without Canvas's time for it, so Taskbell read the task from Canvas"]);
      continue;
    }
    if (key === "unconfirmed") {
      if (value === true) out.push(["Note", "Not confirmed with Canvas: no Canvas connection is set up to check it"]);
      continue;
    }
    if (key === "said") {
      if (typeof value === "string") out.push(["It said", value]);
      continue;
    }
    const label = DETAIL_LABEL[key] ?? key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase());
    if (key === "due" && typeof value === "number") out.push([label, formatFull(value, locale)]);
    else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
      out.push([label, String(value)]);
    else out.push([label, JSON.stringify(value)]);
  }
  return out;
}

/** Said under a suggestion list that stopped short of everything Canvas has. */
export function cutListNote(shown: number, narrow = "type more to narrow"): string {
  return `Showing the first ${shown} — ${narrow}.`;
}

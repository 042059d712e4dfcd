// The History view's filters as the user sets them, and the HistoryQuery the shell expects.

import type { Cursor, HistoryQuery, TaskStatus } from "./api";
import { startOfLocalDay, startOfNextLocalDay } from "./time";

export const PAGE_SIZE = 100;

export interface HistoryFilters {
  statuses: TaskStatus[];
  /** Date inputs ("YYYY-MM-DD" or ""); both days are included. */
  from: string;
  to: string;
  text: string;
  mineOnly: boolean;
}

export function emptyFilters(): HistoryFilters {
  return { statuses: [], from: "", to: "", text: "", mineOnly: false };
}

export function hasFilters(f: HistoryFilters): boolean {
  return f.statuses.length > 0 || f.from !== "" || f.to !== "" || f.text.trim() !== "" || f.mineOnly;
}

/** Why the date range cannot be used, or null. */
export function rangeError(f: HistoryFilters): string | null {
  const from = startOfLocalDay(f.from);
  const to = startOfLocalDay(f.to);
  if (from != null && to != null && from > to) return "The “from” date is after the “to” date.";
  return null;
}

export function toHistoryQuery(f: HistoryFilters, after: Cursor | null = null, limit = PAGE_SIZE): HistoryQuery {
  const text = f.text.trim();
  return {
    statuses: [...f.statuses],
    from: startOfLocalDay(f.from),
    to: startOfNextLocalDay(f.to),
    patient_id: null,
    assignee_id: null,
    text: text === "" ? null : text,
    mine_only: f.mineOnly,
    after,
    limit,
  };
}

/** A task's identity: its system and its id, never the id alone. */
export function taskKey(t: { system: string; task_id: string }): string {
  return `${t.system}\u0000${t.task_id}`;
}

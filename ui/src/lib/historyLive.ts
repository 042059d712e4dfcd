// Keeping a loaded history list current one task at a time, so a change never reloads (and
// jumps) the whole list.

import type { TaskRow } from "./api";
import { startOfLocalDay, startOfNextLocalDay } from "./time";
import { taskKey, type HistoryFilters } from "./historyQuery";

// Words as the shell's search index splits them (unicode61, diacritics removed, any case).
function words(text: string): string[] {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== "");
}

/** Whether the shell would list this row under these filters; its search is every word as a prefix. */
export function matchesFilters(row: TaskRow, f: HistoryFilters): boolean {
  if (f.statuses.length > 0 && !f.statuses.includes(row.status)) return false;
  const from = startOfLocalDay(f.from);
  const to = startOfNextLocalDay(f.to);
  if (from != null && row.created_at < from) return false;
  if (to != null && row.created_at >= to) return false;
  if (f.mineOnly && !row.mine) return false;
  const wanted = words(f.text);
  if (wanted.length === 0) return true;
  const have = words([row.description, row.patient_name ?? "", row.assignee_name ?? ""].join(" "));
  return wanted.every((w) => have.some((h) => h.startsWith(w)));
}

/** The list with this task's row replaced where it stands; the same list when it is not there. */
export function replaceRow(rows: TaskRow[], row: TaskRow): TaskRow[] {
  const key = taskKey(row);
  const at = rows.findIndex((r) => taskKey(r) === key);
  if (at < 0) return rows;
  const out = rows.slice();
  out[at] = row;
  return out;
}

/**
 * Whether a task not yet listed goes first: the list is newest first, so a row that matches the
 * filters and is newer than the first row belongs on top. Anything older would belong somewhere
 * in the middle or in a page not loaded yet, and is left for the next reload.
 */
export function belongsOnTop(rows: TaskRow[], row: TaskRow, f: HistoryFilters): boolean {
  if (!matchesFilters(row, f)) return false;
  const first = rows[0];
  if (!first) return true;
  return row.created_at > first.created_at || (row.created_at === first.created_at && row.rowid > first.rowid);
}

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

// Newest first, as the shell lists: by creation, then by row id.
function listedBefore(a: TaskRow, b: TaskRow): boolean {
  return a.created_at > b.created_at || (a.created_at === b.created_at && a.rowid > b.rowid);
}

/**
 * The list with a task not yet listed put where the shell would list it. A row the filters
 * exclude, or one that sorts after the last loaded row while more pages remain (it belongs to
 * a page not loaded yet), is left out: the same list comes back.
 */
export function insertRow(rows: TaskRow[], row: TaskRow, f: HistoryFilters, hasMore: boolean): TaskRow[] {
  if (!matchesFilters(row, f)) return rows;
  const at = rows.findIndex((r) => listedBefore(row, r));
  if (at < 0) return hasMore ? rows : [...rows, row];
  return [...rows.slice(0, at), row, ...rows.slice(at)];
}

import { describe, expect, it } from "vitest";
import type { TaskRow } from "./api";
import { taskRow } from "../test/fakeApi";
import { emptyFilters } from "./historyQuery";
import { insertRow, matchesFilters, replaceRow } from "./historyLive";

describe("matchesFilters", () => {
  it("follows status, mine and the created-on date range, both days included", () => {
    const row = taskRow(1, { status: "completed", mine: false, created_at: new Date(2025, 2, 2, 23, 59).getTime() });
    expect(matchesFilters(row, emptyFilters())).toBe(true);
    expect(matchesFilters(row, { ...emptyFilters(), statuses: ["open"] })).toBe(false);
    expect(matchesFilters(row, { ...emptyFilters(), statuses: ["open", "completed"] })).toBe(true);
    expect(matchesFilters(row, { ...emptyFilters(), mineOnly: true })).toBe(false);
    expect(matchesFilters(row, { ...emptyFilters(), from: "2025-03-02", to: "2025-03-02" })).toBe(true);
    expect(matchesFilters(row, { ...emptyFilters(), from: "2025-03-03" })).toBe(false);
    expect(matchesFilters(row, { ...emptyFilters(), to: "2025-03-01" })).toBe(false);
  });

  it("searches as the shell does: every word a prefix, any case, accents ignored, team not indexed", () => {
    const row = taskRow(1, { description: "Call about the claim", patient_name: "Zoë Ortiz", assignee_name: "Dr. Ng", team_name: "Billing" });
    const search = (text: string) => matchesFilters(row, { ...emptyFilters(), text });
    expect(search("cla zoe")).toBe(true);
    expect(search("CALL ng")).toBe(true);
    expect(search("laim")).toBe(false);
    expect(search("claim billing")).toBe(false);
    expect(search("  ")).toBe(true);
  });
});

describe("replaceRow", () => {
  it("swaps the row in place by system and id, and leaves a list without it alone", () => {
    const rows = [taskRow(1), taskRow(2), taskRow(3)];
    const updated = taskRow(2, { status: "closed" });
    expect(replaceRow(rows, updated).map((r) => r.status)).toEqual(["open", "closed", "open"]);
    expect(rows[1].status).toBe("open");
    const elsewhere = taskRow(2, { system: "https://other.example" });
    expect(replaceRow(rows, elsewhere)).toBe(rows);
  });
});

describe("insertRow", () => {
  const ids = (rows: TaskRow[]) => rows.map((r) => r.task_id);

  it("puts a matching row where the shell would list it: on top, in the middle, or last", () => {
    const rows = [taskRow(1), taskRow(3)];
    expect(ids(insertRow(rows, taskRow(0), emptyFilters(), false))).toEqual(["task-0", "task-1", "task-3"]);
    expect(ids(insertRow(rows, taskRow(2), emptyFilters(), false))).toEqual(["task-1", "task-2", "task-3"]);
    expect(ids(insertRow(rows, taskRow(5), emptyFilters(), false))).toEqual(["task-1", "task-3", "task-5"]);
    expect(ids(insertRow(rows, taskRow(1, { task_id: "task-x", rowid: 99 }), emptyFilters(), false))).toEqual([
      "task-x",
      "task-1",
      "task-3",
    ]);
    expect(ids(insertRow([], taskRow(5), emptyFilters(), false))).toEqual(["task-5"]);
  });

  it("leaves out a row the filters exclude, and one that belongs to a page not loaded yet", () => {
    const rows = [taskRow(1), taskRow(3)];
    expect(insertRow(rows, taskRow(0, { status: "closed" }), { ...emptyFilters(), statuses: ["open"] }, false)).toBe(rows);
    expect(insertRow(rows, taskRow(5), emptyFilters(), true)).toBe(rows);
    expect(ids(insertRow(rows, taskRow(2), emptyFilters(), true))).toEqual(["task-1", "task-2", "task-3"]);
  });
});

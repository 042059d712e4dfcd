import { describe, expect, it } from "vitest";
import { checkDraft, emptyDraft, isSendable, parseLabels, toDraftInput } from "./draft";

const now = new Date(2025, 2, 20, 12, 0);

describe("parseLabels", () => {
  it("splits on commas, trims, drops blanks and repeats", () => {
    expect(parseLabels(" billing, urgent ,, Billing ,  call  back ")).toEqual(["billing", "urgent", "call back"]);
    expect(parseLabels("")).toEqual([]);
  });
});

describe("checkDraft", () => {
  it("requires a description", () => {
    const c = checkDraft({ ...emptyDraft(), description: "   " }, now);
    expect(c.errors.description).toBeTruthy();
    expect(isSendable(c)).toBe(false);
    expect(isSendable(checkDraft({ ...emptyDraft(), description: "Call back" }, now))).toBe(true);
  });

  it("flags a typed but unpicked patient or assignee", () => {
    const c = checkDraft({ ...emptyDraft(), description: "x", patientText: "Ada", ownerText: "Ng" }, now);
    expect(c.errors.patient).toBeTruthy();
    expect(c.errors.owner).toBeTruthy();
  });

  it("ignores a stale assignee box when assigning to a team", () => {
    const c = checkDraft({ ...emptyDraft(), description: "x", assignTo: "team", ownerText: "Ng" }, now);
    expect(c.errors.owner).toBeUndefined();
  });

  it("warns about a due time in the past without blocking", () => {
    const c = checkDraft({ ...emptyDraft(), description: "x", dueDate: "2025-03-20", dueTime: "09:00" }, now);
    expect(c.warnings.due).toMatch(/past/);
    expect(isSendable(c)).toBe(true);
    expect(checkDraft({ ...emptyDraft(), description: "x", dueDate: "2025-03-20" }, now).warnings.due).toBeUndefined();
  });

  it("asks for a date when only a time is given", () => {
    expect(checkDraft({ ...emptyDraft(), description: "x", dueTime: "09:00" }, now).errors.due).toMatch(/date/);
  });
});

describe("toDraftInput", () => {
  it("sends ids, names, labels and the due time with its offset", () => {
    const input = toDraftInput({
      ...emptyDraft(),
      description: "  Call about the claim ",
      patient: { id: "p1", name: "Ada Lovelace", birth_date: "1815-12-10", active: true },
      patientText: "Ada Lovelace",
      owner: { id: "s1", name: "Dr. Ng" },
      ownerText: "Dr. Ng",
      team: { id: "t1", name: "Billing" },
      dueDate: "2025-03-21",
      dueTime: "10:30",
      labels: "billing, urgent",
      comment: "  ",
    });
    expect(input).toEqual({
      description: "Call about the claim",
      patient: "p1",
      owner: "s1",
      team: null,
      due: "2025-03-21T10:30:00-04:00",
      labels: ["billing", "urgent"],
      comment: null,
      names: { patient: "Ada Lovelace", owner: "Dr. Ng", team: null },
    });
  });

  it("sends the team instead of a person when assigning to a team", () => {
    const input = toDraftInput({
      ...emptyDraft(),
      description: "x",
      assignTo: "team",
      owner: { id: "s1", name: "Dr. Ng" },
      team: { id: "t1", name: "Billing" },
    });
    expect(input.owner).toBeNull();
    expect(input.team).toBe("t1");
    expect(input.names).toEqual({ patient: null, owner: null, team: "Billing" });
  });
});

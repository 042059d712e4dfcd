import { beforeEach, describe, expect, it } from "vitest";
import { emptyDraft, type DraftForm } from "./draft";
import { clearDraft, DRAFT_KEY, isEmptyDraft, loadDraft, saveDraft } from "./draftStore";

const full: DraftForm = {
  description: "Call about the claim",
  patient: { id: "p1", name: "Ada Lovelace", birth_date: "1815-12-10", active: false },
  patientText: "Ada Lovelace",
  assignTo: "team",
  owner: { id: "s1", name: "Dr. Ng" },
  ownerText: "Dr. Ng",
  team: { id: "t1", name: "Billing" },
  dueDate: "2030-03-04",
  dueTime: "17:05",
  labels: "billing, urgent",
  comment: "Spoke to the insurer.",
};

beforeEach(() => localStorage.clear());

describe("draft storage", () => {
  it("gives back every field, picks with their names, as saved", () => {
    saveDraft(full);
    expect(JSON.parse(localStorage.getItem(DRAFT_KEY)!).v).toBe(1);
    expect(loadDraft()).toEqual(full);
  });

  it("keeps nothing for an empty form, and forgets a draft once emptied or cleared", () => {
    saveDraft(emptyDraft());
    expect(localStorage.getItem(DRAFT_KEY)).toBeNull();
    saveDraft(full);
    saveDraft({ ...emptyDraft(), assignTo: "team" });
    expect(loadDraft()).toBeNull();
    saveDraft(full);
    clearDraft();
    expect(loadDraft()).toBeNull();
  });

  it("ignores what it cannot read: bad JSON, another version, the wrong shape", () => {
    for (const raw of ["{not json", "null", "[1,2]", JSON.stringify({ v: 2, draft: full }), JSON.stringify({ v: 1, draft: "x" }), JSON.stringify(full)]) {
      localStorage.setItem(DRAFT_KEY, raw);
      expect(loadDraft()).toBeNull();
    }
  });

  it("drops fields of the wrong type and keeps the rest", () => {
    localStorage.setItem(
      DRAFT_KEY,
      JSON.stringify({ v: 1, draft: { description: "Fax it", patient: { id: 3 }, owner: "Dr. Ng", labels: ["a"], assignTo: "robot" } }),
    );
    expect(loadDraft()).toEqual({ ...emptyDraft(), description: "Fax it" });
  });

  it("reads a patient saved without the active flag as active, as the shell does", () => {
    const patient = { id: "p1", name: "Ada Lovelace", birth_date: null };
    localStorage.setItem(DRAFT_KEY, JSON.stringify({ v: 1, draft: { ...emptyDraft(), patient } }));
    expect(loadDraft()?.patient).toEqual({ ...patient, active: true });
  });

  it("calls a form with only the assignment switched empty", () => {
    expect(isEmptyDraft({ ...emptyDraft(), assignTo: "team" })).toBe(true);
    expect(isEmptyDraft({ ...emptyDraft(), comment: "x" })).toBe(false);
  });
});

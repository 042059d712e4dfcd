import { describe, expect, it } from "vitest";
import {
  assignedTo, describeDetail, patientOf, formatBirthDate, formatDay, formatDuration, formatRelative, formatWhen, whenParts,
  KIND_LABEL, SOURCE_LABEL, wordFor,
} from "./format";

describe("formatDuration", () => {
  it("reads like people talk", () => {
    expect(formatDuration(12_000_000)).toBe("3 h 20 min");
    expect(formatDuration(3 * 3600_000)).toBe("3 h");
    expect(formatDuration(45 * 60_000)).toBe("45 min");
    expect(formatDuration(20_000)).toBe("under 1 min");
    expect(formatDuration(26 * 3600_000 + 10 * 60_000)).toBe("1 d 2 h");
    expect(formatDuration(3 * 86_400_000)).toBe("3 d");
  });

  it("rounds to the nearest minute without producing “60 min”", () => {
    expect(formatDuration(59 * 60_000 + 40_000)).toBe("1 h");
    expect(formatDuration(119 * 60_000 + 50_000)).toBe("2 h");
  });

  it("has a dash for nothing to show", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(-5)).toBe("—");
  });
});

describe("formatWhen", () => {
  const now = new Date(2025, 2, 20, 15, 0);
  it("names today and yesterday", () => {
    expect(formatWhen(new Date(2025, 2, 20, 9, 5).getTime(), now, "en-GB")).toBe("Today 09:05");
    expect(formatWhen(new Date(2025, 2, 19, 23, 30).getTime(), now, "en-GB")).toBe("Yesterday 23:30");
  });
  it("adds the year only when it differs", () => {
    expect(formatWhen(new Date(2025, 0, 3, 8, 0).getTime(), now, "en-GB")).toBe("3 Jan 08:00");
    expect(formatWhen(new Date(2023, 11, 24, 8, 0).getTime(), now, "en-GB")).toBe("24 Dec 2023 08:00");
  });
  it("splits into day and time for narrow columns", () => {
    expect(whenParts(new Date(2025, 2, 21, 7, 30).getTime(), now, "en-GB")).toEqual(["Tomorrow", "07:30"]);
    expect(whenParts(new Date(2025, 1, 2, 7, 30).getTime(), now, "en-GB")).toEqual(["2 Feb", "07:30"]);
  });
  it("has a dash for no time", () => {
    expect(formatWhen(null, now)).toBe("—");
  });
});

describe("dates without a time of day", () => {
  it("does not shift a birth date across midnight", () => {
    expect(formatBirthDate("1990-01-02", "en-GB")).toBe("2 Jan 1990");
    expect(formatBirthDate(null)).toBe("");
  });
  it("labels a chart day", () => {
    expect(formatDay(Math.floor(Date.UTC(2025, 2, 3) / 86_400_000), "en-GB")).toBe("Mon 3 Mar");
  });
});

describe("describeDetail", () => {
  it("turns known keys into words and keeps unknown ones", () => {
    const rows = describeDetail({ owner: "Dr. Ng", stale: true, external_id: "x-1", priority: "high", empty: null }, "en-GB");
    expect(rows).toEqual([
      ["Assigned to", "Dr. Ng"],
      ["Note", "Arrived after a newer change, so it did not change the status"],
      ["External id", "x-1"],
      ["Priority", "high"],
    ]);
  });

  it("says when an event was a hint, and when nothing could confirm it", () => {
    expect(describeDetail({ hint: true, said: "completed" }, "en-GB")).toEqual([
      ["Note", "Said the task changed without Canvas's time for it, so Taskbell read the task from Canvas"],
      ["It said", "completed"],
    ]);
    expect(describeDetail({ unconfirmed: true }, "en-GB")).toEqual([
      ["Note", "Not confirmed with Canvas: no Canvas connection is set up to check it"],
    ]);
  });

  it("has nothing to say of a detail that is not an object", () => {
    expect(describeDetail(null)).toEqual([]);
    expect(describeDetail(["owner"])).toEqual([]);
    expect(describeDetail("owner")).toEqual([]);
  });
});

describe("wordFor", () => {
  it("words a stored kind or source, and keeps one it does not know as stored", () => {
    expect(wordFor(KIND_LABEL, "reopened")).toBe("Reopened");
    expect(wordFor(SOURCE_LABEL, "socket")).toBe("Canvas plugin");
    expect(wordFor(KIND_LABEL, "escalated")).toBe("escalated");
    expect(wordFor(KIND_LABEL, "toString")).toBe("toString");
  });
});

describe("formatRelative", () => {
  const now = new Date(2025, 2, 20, 15, 0);
  it("says how long until or since", () => {
    expect(formatRelative(now.getTime() + 200 * 60_000, now)).toBe("in 3 h 20 min");
    expect(formatRelative(now.getTime() - 45 * 60_000, now)).toBe("45 min ago");
    expect(formatRelative(now.getTime() - 26 * 3_600_000, now)).toBe("1 d 2 h ago");
  });
  it("calls the current minute now", () => {
    expect(formatRelative(now.getTime() + 20_000, now)).toBe("now");
    expect(formatRelative(now.getTime() - 20_000, now)).toBe("now");
  });
});

describe("assignedTo", () => {
  const none = { assignee_id: null, assignee_name: null, team_id: null, team_name: null };
  it("names the person, the team, or both", () => {
    expect(assignedTo({ ...none, assignee_id: "s1", assignee_name: "Dr. Ng" })).toBe("Dr. Ng");
    expect(assignedTo({ ...none, team_id: "g1", team_name: "Billing" })).toBe("Billing");
    expect(assignedTo({ ...none, assignee_id: "s1", assignee_name: "Dr. Ng", team_id: "g1", team_name: "Billing" })).toBe("Dr. Ng · Billing");
  });
  it("prefers a name to an id, then falls back to ids, then a dash", () => {
    expect(assignedTo({ ...none, assignee_id: "s1", team_id: "g1", team_name: "Billing" })).toBe("Billing");
    expect(assignedTo({ ...none, team_id: "g1" })).toBe("g1");
    expect(assignedTo(none)).toBe("—");
  });
});

describe("patientOf", () => {
  it("names the patient, or says there is one whose name was not given, or none", () => {
    expect(patientOf({ patient_id: "p1", patient_name: "Ada Quill" })).toBe("Ada Quill");
    expect(patientOf({ patient_id: "p1", patient_name: null })).toBe("Patient (name not given)");
    expect(patientOf({ patient_id: null, patient_name: null })).toBe("No patient");
  });
});

import { describe, expect, it } from "vitest";
import { emptyFilters, hasFilters, rangeError, toHistoryQuery } from "./historyQuery";

describe("toHistoryQuery", () => {
  it("sends whole local days and trims the search text", () => {
    const q = toHistoryQuery({ statuses: ["completed"], from: "2025-03-01", to: "2025-03-02", text: "  insur ", mineOnly: true });
    expect(q).toEqual({
      statuses: ["completed"],
      from: new Date(2025, 2, 1).getTime(),
      to: new Date(2025, 2, 3).getTime(),
      patient_id: null,
      assignee_id: null,
      text: "insur",
      mine_only: true,
      after: null,
      limit: 100,
    });
  });

  it("leaves out what is not set", () => {
    const q = toHistoryQuery(emptyFilters(), { created_at: 5, rowid: 7 });
    expect(q.from).toBeNull();
    expect(q.to).toBeNull();
    expect(q.text).toBeNull();
    expect(q.after).toEqual({ created_at: 5, rowid: 7 });
    expect(hasFilters(emptyFilters())).toBe(false);
  });

  it("catches a backwards range", () => {
    expect(rangeError({ ...emptyFilters(), from: "2025-03-05", to: "2025-03-01" })).toMatch(/after/);
    expect(rangeError({ ...emptyFilters(), from: "2025-03-05", to: "2025-03-05" })).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import {
  dayNumber,
  dueToRfc3339,
  formatOffset,
  lastDays,
  localOffsetMs,
  parseDateInput,
  parseTimeInput,
  startOfLocalDay,
  datetimeLocalToRfc3339,
  startOfNextLocalDay,
  toDatetimeLocal,
  toRfc3339Local,
} from "./time";

// vite.config.ts pins TZ to America/New_York for tests, so offsets and DST are predictable.
describe("datetime-local conversion", () => {
  it("sends a picked moment with the offset of its own day", () => {
    expect(datetimeLocalToRfc3339("2025-03-04T17:05")).toBe("2025-03-04T17:05:00-05:00");
    expect(datetimeLocalToRfc3339("2025-07-04T09:30")).toBe("2025-07-04T09:30:00-04:00");
  });

  it("is null for an empty or partial value", () => {
    expect(datetimeLocalToRfc3339("")).toBeNull();
    expect(datetimeLocalToRfc3339("2025-03-04")).toBeNull();
    expect(datetimeLocalToRfc3339("2025-03-04T")).toBeNull();
    expect(datetimeLocalToRfc3339("2025-02-31T10:00")).toBeNull();
  });

  it("shows a stored due time in local time, to the minute", () => {
    expect(toDatetimeLocal(Date.parse("2025-03-04T22:05:30Z"))).toBe("2025-03-04T17:05");
    expect(datetimeLocalToRfc3339(toDatetimeLocal(Date.parse("2025-07-04T13:30:00Z")))).toBe("2025-07-04T09:30:00-04:00");
  });
});

describe("due conversion", () => {
  it("turns date and time inputs into RFC 3339 with the offset of that day", () => {
    expect(dueToRfc3339("2025-03-04", "17:05")).toBe("2025-03-04T17:05:00-05:00");
    expect(dueToRfc3339("2025-07-04", "09:30")).toBe("2025-07-04T09:30:00-04:00");
  });

  it("means the end of the day when only a date is given", () => {
    expect(dueToRfc3339("2025-03-04", "")).toBe("2025-03-04T23:59:00-05:00");
  });

  it("is null without a date, and for impossible dates", () => {
    expect(dueToRfc3339("", "10:00")).toBeNull();
    expect(dueToRfc3339("2025-02-31", "10:00")).toBeNull();
    expect(dueToRfc3339("2025-02-03", "25:00")).toBeNull();
  });

  it("round-trips through Date.parse to the same instant", () => {
    const s = dueToRfc3339("2025-11-02", "12:00")!;
    expect(Date.parse(s)).toBe(new Date(2025, 10, 2, 12, 0).getTime());
  });

  it("formats offsets east and west, including half hours", () => {
    expect(formatOffset(0)).toBe("+00:00");
    expect(formatOffset(330)).toBe("+05:30");
    expect(formatOffset(-240)).toBe("-04:00");
    expect(formatOffset(-570)).toBe("-09:30");
  });

  it("writes a Date in local time", () => {
    expect(toRfc3339Local(new Date(2024, 0, 9, 8, 7, 6))).toBe("2024-01-09T08:07:06-05:00");
  });
});

describe("input parsing", () => {
  it("accepts what native inputs produce and nothing else", () => {
    expect(parseDateInput("2024-02-29")).toEqual([2024, 2, 29]);
    expect(parseDateInput("2023-02-29")).toBeNull();
    expect(parseDateInput("03/04/2025")).toBeNull();
    expect(parseTimeInput("07:45")).toEqual([7, 45]);
    expect(parseTimeInput("07:45:30")).toEqual([7, 45]);
    expect(parseTimeInput("7:45")).toBeNull();
  });
});

describe("day ranges", () => {
  it("covers whole local days, the end exclusive", () => {
    expect(startOfLocalDay("2025-03-04")).toBe(new Date(2025, 2, 4).getTime());
    expect(startOfNextLocalDay("2025-03-04")).toBe(new Date(2025, 2, 5).getTime());
    expect(startOfNextLocalDay("2025-03-08")! - startOfLocalDay("2025-03-08")!).toBe(23 * 3600_000 + 3600_000);
    // The spring-forward day is 23 hours long.
    expect(startOfNextLocalDay("2025-03-09")! - startOfLocalDay("2025-03-09")!).toBe(23 * 3600_000);
    expect(startOfLocalDay("")).toBeNull();
  });

  it("reports the local offset east of UTC, as the stats query wants", () => {
    expect(localOffsetMs(new Date(2025, 0, 15))).toBe(-5 * 3600_000);
    expect(localOffsetMs(new Date(2025, 6, 15))).toBe(-4 * 3600_000);
  });

  it("buckets late-evening times into the local day", () => {
    const offset = -5 * 3600_000;
    const lateEvening = Date.UTC(2025, 0, 16, 3, 0); // 22:00 on 15 Jan in New York
    expect(dayNumber(lateEvening, offset)).toBe(Math.floor(Date.UTC(2025, 0, 15) / 86_400_000));
  });

  it("spans the last 30 local days including today", () => {
    const now = new Date(2025, 2, 20, 15, 0);
    const w = lastDays(30, now);
    expect(w.from).toBe(new Date(2025, 1, 19).getTime());
    expect(w.to).toBe(new Date(2025, 2, 21).getTime());
    expect(w.offsetMs).toBe(-4 * 3600_000);
    expect(w.firstDay + 29).toBe(Math.floor(Date.UTC(2025, 2, 20) / 86_400_000));
  });
});

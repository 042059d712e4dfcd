import { describe, expect, it } from "vitest";
import { ariaRowCount, ariaRowIndex, remToPx, visibleRange } from "./windowing";

describe("visibleRange", () => {
  it("renders the rows in view plus some overscan", () => {
    expect(visibleRange(100_000, 56 * 1000, 560, 56, 5)).toEqual({
      start: 995,
      end: 1015,
      padTop: 995 * 56,
      padBottom: (100_000 - 1015) * 56,
    });
  });

  it("clamps at both ends", () => {
    expect(visibleRange(3, 0, 800, 50, 8)).toEqual({ start: 0, end: 3, padTop: 0, padBottom: 0 });
    expect(visibleRange(0, 0, 800, 50)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
  });
});

describe("the table's ARIA row numbers", () => {
  it("counts the header and every loaded row once the end is loaded", () => {
    expect(ariaRowCount(120, false)).toBe(121);
    expect(ariaRowCount(0, false)).toBe(1);
  });
  it("says the count is unknown while more can be loaded", () => {
    expect(ariaRowCount(500, true)).toBe(-1);
  });
  it("numbers loaded rows after the header, from 2", () => {
    expect(ariaRowIndex(0)).toBe(2);
    expect(ariaRowIndex(995)).toBe(997);
  });
});

describe("remToPx", () => {
  it("follows the root font size", () => {
    expect(remToPx(3.5, "16px")).toBe(56);
    expect(remToPx(3.5, "32px")).toBe(112);
  });
  it("falls back to 16 px when the size cannot be read", () => {
    expect(remToPx(3.5, "")).toBe(56);
    expect(remToPx(3.5, undefined)).toBe(56);
  });
});

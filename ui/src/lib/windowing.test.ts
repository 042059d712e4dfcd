import { describe, expect, it } from "vitest";
import { visibleRange } from "./windowing";

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

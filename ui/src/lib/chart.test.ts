import { describe, expect, it } from "vitest";
import { fillDays, layoutBars, MIN_BAR, niceMax } from "./chart";

describe("chart scaling", () => {
  it("fills missing days with zero, in order", () => {
    expect(fillDays([{ day: 12, completed: 4 }, { day: 10, completed: 1 }], 10, 4)).toEqual([
      { day: 10, completed: 1 },
      { day: 11, completed: 0 },
      { day: 12, completed: 4 },
      { day: 13, completed: 0 },
    ]);
  });

  it("ignores days outside the window", () => {
    expect(fillDays([{ day: 2, completed: 9 }], 5, 2).map((d) => d.completed)).toEqual([0, 0]);
  });

  it("picks a round top", () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(3)).toBe(3);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(13)).toBe(20);
    expect(niceMax(20)).toBe(20);
    expect(niceMax(36)).toBe(50);
    expect(niceMax(501)).toBe(1000);
  });

  it("scales bars to the top and keeps a single completion visible", () => {
    const days = [
      { day: 1, completed: 0 },
      { day: 2, completed: 10 },
      { day: 3, completed: 5 },
      { day: 4, completed: 0.01 },
    ];
    const { bars, top } = layoutBars(days, 400, 100, 4);
    expect(top).toBe(10);
    expect(bars.map((b) => b.height)).toEqual([0, 100, 50, MIN_BAR]);
    expect(bars[1].y).toBe(0);
    expect(bars[2].y).toBe(50);
    expect(bars[0].x).toBe(2);
    expect(bars[1].x).toBe(102);
    expect(bars[0].width).toBe(96);
  });

  it("survives no data", () => {
    expect(layoutBars([], 100, 50)).toEqual({ bars: [], top: 1 });
  });
});

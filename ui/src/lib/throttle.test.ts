import { afterEach, describe, expect, it, vi } from "vitest";
import { throttle } from "./throttle";

describe("throttle", () => {
  afterEach(() => vi.useRealTimers());

  it("runs a burst once, at the end of the period, with the last arguments", () => {
    vi.useFakeTimers();
    const f = vi.fn();
    const t = throttle(f, 1000);
    for (let i = 0; i < 20; i++) {
      t(i);
      vi.advanceTimersByTime(10);
    }
    expect(f).not.toHaveBeenCalled();
    vi.advanceTimersByTime(800);
    expect(f).toHaveBeenCalledTimes(1);
    expect(f).toHaveBeenCalledWith(19);
  });

  it("keeps running during a long stream, but no more than once a period", () => {
    vi.useFakeTimers();
    const f = vi.fn();
    const t = throttle(f, 1000);
    for (let i = 0; i < 50; i++) {
      t(i);
      vi.advanceTimersByTime(100);
    }
    vi.advanceTimersByTime(1000);
    // A debounce would have waited for the stream to stop and run once.
    expect(f.mock.calls.length).toBe(5);
  });

  it("can be cancelled", () => {
    vi.useFakeTimers();
    const f = vi.fn();
    const t = throttle(f, 1000);
    t(1);
    t.cancel();
    vi.advanceTimersByTime(2000);
    expect(f).not.toHaveBeenCalled();
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";
import { debounce } from "./debounce";

describe("debounce", () => {
  afterEach(() => vi.useRealTimers());

  it("calls once with the last arguments after a quiet period", () => {
    vi.useFakeTimers();
    const f = vi.fn();
    const d = debounce(f, 200);
    d("a");
    d("ab");
    vi.advanceTimersByTime(199);
    expect(f).not.toHaveBeenCalled();
    d("abc");
    vi.advanceTimersByTime(200);
    expect(f).toHaveBeenCalledTimes(1);
    expect(f).toHaveBeenCalledWith("abc");
  });

  it("can be cancelled or flushed", () => {
    vi.useFakeTimers();
    const f = vi.fn();
    const d = debounce(f, 100);
    d(1);
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(f).not.toHaveBeenCalled();
    d(2);
    d.flush();
    expect(f).toHaveBeenCalledWith(2);
    vi.advanceTimersByTime(500);
    expect(f).toHaveBeenCalledTimes(1);
  });
});

// Runs a call at most once per period however often it is asked for: the first request starts
// the period and the call runs at its end with the latest arguments, so the last request of a
// burst is never dropped.

import type { Debounced } from "./debounce";

export function throttle<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: A | null = null;
  const run = () => {
    timer = null;
    const args = pending;
    pending = null;
    if (args) fn(...args);
  };
  const throttled = (...args: A) => {
    pending = args;
    if (!timer) timer = setTimeout(run, ms);
  };
  throttled.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    pending = null;
  };
  throttled.flush = () => {
    if (timer) clearTimeout(timer);
    run();
  };
  return throttled;
}

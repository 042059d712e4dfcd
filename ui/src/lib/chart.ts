// Geometry for the completions chart: fill the days the shell left out (it only returns days
// with completions), pick a round top for the scale, and lay the bars out in SVG units.

export interface DayCount {
  day: number;
  completed: number;
}

/** One entry per day from `firstDay`, zero where the shell had nothing. */
export function fillDays(perDay: DayCount[], firstDay: number, count: number): DayCount[] {
  const byDay = new Map(perDay.map((d) => [d.day, d.completed]));
  return Array.from({ length: count }, (_, i) => ({ day: firstDay + i, completed: byDay.get(firstDay + i) ?? 0 }));
}

/** A round number at or above `max` for the top of the scale: 1–5 as is, then 1, 2 or 5 × 10ⁿ. */
export function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 1) return 1;
  if (max <= 5) return Math.ceil(max);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * magnitude >= max) return step * magnitude;
  }
  return 10 * magnitude;
}

export interface Bar {
  day: number;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest height a non-zero bar gets, so one completion is still visible. */
export const MIN_BAR = 2;

export function layoutBars(days: DayCount[], width: number, height: number, gap = 2): { bars: Bar[]; top: number } {
  const top = niceMax(Math.max(0, ...days.map((d) => d.completed)));
  if (days.length === 0) return { bars: [], top };
  const slot = width / days.length;
  const barWidth = Math.max(1, slot - gap);
  const bars = days.map((d, i) => {
    const h = d.completed <= 0 ? 0 : Math.max(MIN_BAR, (d.completed / top) * height);
    return { day: d.day, value: d.completed, x: i * slot + (slot - barWidth) / 2, y: height - h, width: barWidth, height: h };
  });
  return { bars, top };
}

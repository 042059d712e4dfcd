// Which rows of a long, fixed-row-height list to actually put in the DOM. Rendering only the
// rows near the viewport keeps a 100 000-row history as light as a 100-row one.

export interface RowRange {
  start: number;
  end: number;
  padTop: number;
  padBottom: number;
}

export function visibleRange(total: number, scrollTop: number, viewport: number, rowHeight: number, overscan = 8): RowRange {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(Math.max(0, viewport) / rowHeight);
  const start = Math.min(total, Math.max(0, first - overscan));
  const end = Math.min(total, first + shown + overscan);
  return { start, end, padTop: start * rowHeight, padBottom: (total - end) * rowHeight };
}

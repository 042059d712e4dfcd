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

/**
 * `aria-rowcount` for a table whose rows are only partly in the DOM: every row including the
 * header, or -1 (ARIA's "unknown") while more pages can still be loaded.
 */
export function ariaRowCount(loaded: number, hasMore: boolean): number {
  return hasMore ? -1 : loaded + 1;
}

/** `aria-rowindex` of the `offset`-th loaded row: 1-based, after the header row. */
export function ariaRowIndex(offset: number): number {
  return offset + 2;
}

/** A row's height in pixels for a height given in rem, so rows grow with the text size. */
export function remToPx(rem: number, rootFontSize: string | null | undefined): number {
  const base = Number.parseFloat(rootFontSize ?? "");
  return rem * (Number.isFinite(base) && base > 0 ? base : 16);
}

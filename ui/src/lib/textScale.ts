// The desktop's text size reaches the page as a number the shell sets before the page runs
// (src-tauri/src/text_scale.rs): WebKitGTK lays out at 96 DPI whatever the desktop's font
// resolution, so the root font size is scaled instead, and every size in rem follows.

/** The root font size for `scale`, as a percentage, or null to leave WebKit's default. */
export function rootFontSize(scale: unknown): string | null {
  if (typeof scale !== "number" || !Number.isFinite(scale) || Math.abs(scale - 1) < 0.01) return null;
  const bounded = Math.min(3, Math.max(0.5, scale));
  return `${Math.round(bounded * 1000) / 10}%`;
}

/** Applies the scale the shell named, if any. */
export function applyTextScale(root: HTMLElement, scale: unknown) {
  const size = rootFontSize(scale);
  if (size) root.style.fontSize = size;
}

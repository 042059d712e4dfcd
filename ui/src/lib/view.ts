// Which view the window opens at. The shell builds a window for a view as index.html#<view>
// (src-tauri/src/window.rs), so the page starts there rather than being told once it listens.

import type { View } from "./api";

export const VIEWS: View[] = ["forme", "new", "history", "settings"];

/** The view a location hash such as "#history" names, or null for none or an unknown one. */
export function viewFromHash(hash: string): View | null {
  const name = hash.startsWith("#") ? hash.slice(1) : hash;
  return VIEWS.find((v) => v === name) ?? null;
}

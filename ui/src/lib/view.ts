// Which view the window opens at. The shell builds a window for a view as index.html#<view>
// (src-tauri/src/window.rs), so the page starts there rather than being told once it listens.

import type { View } from "./api";

export const VIEWS: View[] = ["forme", "new", "history", "settings"];

/** The view a location hash such as "#history" names, or null for none or an unknown one. */
export function viewFromHash(hash: string): View | null {
  const name = (hash.startsWith("#") ? hash.slice(1) : hash).split("/")[0];
  return VIEWS.find((v) => v === name) ?? null;
}

/** The task a window built to show one names: "#forme/<system>/<id>", each part encoded. */
export function taskFromHash(hash: string): { system: string; id: string } | null {
  const parts = (hash.startsWith("#") ? hash.slice(1) : hash).split("/");
  if (parts.length !== 3 || parts[0] !== "forme" || !parts[1] || !parts[2]) return null;
  try {
    return { system: decodeURIComponent(parts[1]), id: decodeURIComponent(parts[2]) };
  } catch {
    return null;
  }
}

// What Esc means where it was pressed. Hiding the window destroys it, so Esc must never throw
// away text: inside a field with text it first empties a search box or leaves the field, and
// only a later Esc, from outside such a field, hides the window.

export type EscapeAction = "hide" | "clear" | "leave" | "ignore";

export interface EscapeKey {
  key: string;
  defaultPrevented: boolean;
  isComposing?: boolean;
  target: EventTarget | null;
}

// Inputs of these types hold no typed text; Esc on them behaves as anywhere else.
const NOT_TEXT = new Set(["button", "submit", "reset", "checkbox", "radio", "range", "color", "file", "image", "hidden"]);

/** The field the key was pressed in, when it is one the user types or picks a value in. */
export function editableField(target: EventTarget | null): HTMLElement | null {
  if (!(target instanceof HTMLElement)) return null;
  if (target instanceof HTMLInputElement) return NOT_TEXT.has(target.type) ? null : target;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return target;
  return target.isContentEditable || isEditableAttr(target) ? target : null;
}

// jsdom does not compute isContentEditable, so the attribute is read as well.
function isEditableAttr(el: HTMLElement): boolean {
  const host = el.closest("[contenteditable]");
  return host != null && host.getAttribute("contenteditable") !== "false";
}

export function fieldText(el: HTMLElement): string {
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return el.value;
  return el.textContent ?? "";
}

function isSearchBox(el: HTMLElement): boolean {
  const role = el.getAttribute("role");
  if (el instanceof HTMLInputElement && el.type === "search") return true;
  if (role === "searchbox") return true;
  return role === "combobox" && el.getAttribute("aria-expanded") === "true";
}

export function escapeAction(e: EscapeKey): EscapeAction {
  // A component that used Esc itself (closing suggestions) has already said what it meant.
  if (e.key !== "Escape" || e.defaultPrevented || e.isComposing) return "ignore";
  const field = editableField(e.target);
  if (!field || fieldText(field) === "") return "hide";
  return isSearchBox(field) ? "clear" : "leave";
}

/** Empties a field the way typing would, so bound values and input handlers follow. */
export function clearField(el: HTMLElement) {
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) el.value = "";
  else el.textContent = "";
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

import { afterEach, describe, expect, it, vi } from "vitest";
import { clearField, escapeAction } from "./escape";

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, value?: string) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (value !== undefined) (node as unknown as { value: string }).value = value;
  document.body.append(node);
  return node;
}

const esc = (target: EventTarget | null, over: { defaultPrevented?: boolean; isComposing?: boolean; key?: string } = {}) =>
  escapeAction({ key: "Escape", defaultPrevented: false, isComposing: false, target, ...over });

afterEach(() => document.body.replaceChildren());

describe("escapeAction", () => {
  it("hides the window from outside any field, or from an empty one", () => {
    expect(esc(document.body)).toBe("hide");
    expect(esc(el("button"))).toBe("hide");
    expect(esc(el("input", { type: "checkbox" }))).toBe("hide");
    expect(esc(el("input", { type: "text" }, ""))).toBe("hide");
    expect(esc(el("textarea", {}, ""))).toBe("hide");
    expect(esc(el("input", { type: "search" }, ""))).toBe("hide");
  });

  it("leaves a field that holds text instead of hiding", () => {
    expect(esc(el("input", { type: "text" }, "Call the lab"))).toBe("leave");
    expect(esc(el("textarea", {}, "a comment"))).toBe("leave");
    expect(esc(el("input", { type: "date" }, "2025-03-21"))).toBe("leave");
    expect(esc(el("input", { role: "combobox", "aria-expanded": "false" }, "Ada"))).toBe("leave");
  });

  it("leaves a chosen select, but hides from one with nothing chosen", () => {
    const select = el("select");
    select.append(new Option("No team", ""), new Option("Billing", "t1"));
    expect(esc(select)).toBe("hide");
    select.value = "t1";
    expect(esc(select)).toBe("leave");
  });

  it("clears a search box, a searchbox role, or a combobox with its suggestions open", () => {
    expect(esc(el("input", { type: "search" }, "insur"))).toBe("clear");
    expect(esc(el("input", { role: "searchbox" }, "insur"))).toBe("clear");
    expect(esc(el("input", { role: "combobox", "aria-expanded": "true" }, "Ada"))).toBe("clear");
  });

  it("treats contenteditable text as a field", () => {
    const box = el("div", { contenteditable: "true" });
    expect(esc(box)).toBe("hide");
    box.textContent = "draft";
    expect(esc(box)).toBe("leave");
    expect(esc(el("div", { contenteditable: "false" }))).toBe("hide");
  });

  it("ignores Esc a component already used, during composition, and other keys", () => {
    expect(esc(document.body, { defaultPrevented: true })).toBe("ignore");
    expect(esc(el("input", {}, "x"), { isComposing: true })).toBe("ignore");
    expect(esc(document.body, { key: "Enter" })).toBe("ignore");
  });
});

describe("clearField", () => {
  it("empties the field and reports it as input", () => {
    const box = el("input", { type: "search" }, "insur");
    const oninput = vi.fn();
    box.addEventListener("input", oninput);
    clearField(box);
    expect(box.value).toBe("");
    expect(oninput).toHaveBeenCalledTimes(1);
  });
});

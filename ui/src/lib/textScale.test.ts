import { describe, expect, it } from "vitest";
import { applyTextScale, rootFontSize } from "./textScale";

describe("rootFontSize", () => {
  it("scales the root font size by the desktop's text scale", () => {
    expect(rootFontSize(1.25)).toBe("125%");
    expect(rootFontSize(2)).toBe("200%");
    expect(rootFontSize(1.3333333)).toBe("133.3%");
  });
  it("leaves the default alone at 1 or when the shell named nothing usable", () => {
    expect(rootFontSize(1)).toBeNull();
    expect(rootFontSize(undefined)).toBeNull();
    expect(rootFontSize("2")).toBeNull();
    expect(rootFontSize(Number.NaN)).toBeNull();
  });
  it("keeps an absurd scale within bounds", () => {
    expect(rootFontSize(10)).toBe("300%");
    expect(rootFontSize(0.1)).toBe("50%");
  });
});

describe("applyTextScale", () => {
  it("sets the root's font size only when there is a scale", () => {
    const root = document.createElement("html");
    applyTextScale(root, undefined);
    expect(root.style.fontSize).toBe("");
    applyTextScale(root, 1.5);
    expect(root.style.fontSize).toBe("150%");
  });
});

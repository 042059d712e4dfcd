import { describe, expect, it } from "vitest";
import { viewFromHash } from "./view";

describe("viewFromHash", () => {
  it("reads the view the shell put in the window's URL", () => {
    expect(viewFromHash("#history")).toBe("history");
    expect(viewFromHash("#settings")).toBe("settings");
    expect(viewFromHash("#new")).toBe("new");
    expect(viewFromHash("#forme")).toBe("forme");
  });

  it("reads nothing from no hash or one that names no view", () => {
    expect(viewFromHash("")).toBeNull();
    expect(viewFromHash("#")).toBeNull();
    expect(viewFromHash("#History")).toBeNull();
    expect(viewFromHash("#panel-history")).toBeNull();
  });
});

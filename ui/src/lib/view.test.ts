import { describe, expect, it } from "vitest";
import { taskFromHash, viewFromHash } from "./view";

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

describe("taskFromHash", () => {
  it("reads the task a window was built to show, as the shell encodes it", () => {
    expect(viewFromHash("#forme/sandbox/t1")).toBe("forme");
    expect(taskFromHash("#forme/demo%20clinic/a%2Fb")).toEqual({ system: "demo clinic", id: "a/b" });
  });

  it("reads no task from a plain view or a broken hash", () => {
    expect(taskFromHash("#forme")).toBeNull();
    expect(taskFromHash("#history/sandbox/t1")).toBeNull();
    expect(taskFromHash("#forme/sandbox/")).toBeNull();
    expect(taskFromHash("#forme/%E0%A4%A/x")).toBeNull();
  });
});

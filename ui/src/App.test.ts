import { render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";

describe("App", () => {
  it("shows the product name and a status line", () => {
    render(App);
    expect(screen.getByRole("heading").textContent).toBe("Taskbell");
    expect(screen.getByTestId("status").textContent).toContain("starting");
  });
});

import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, resetFake, sampleAbout } from "../../test/fakeApi";
import AboutSection from "./AboutSection.svelte";

vi.mock("../../lib/api", async (orig) => (await import("../../test/fakeApi")).mockModule(await orig()));

let clipboard: string[] = [];

beforeEach(() => {
  resetFake();
  clipboard = [];
  Object.defineProperty(navigator, "clipboard", {
    configurable: true,
    value: { writeText: vi.fn(async (t: string) => void clipboard.push(t)) },
  });
});

describe("About", () => {
  it("shows the version, where data and the log are, and how Taskbell is connected", async () => {
    render(AboutSection);
    const about = await screen.findByTestId("about");
    await waitFor(() => expect(about.textContent).toContain("Taskbell 0.1.0"));
    for (const shown of ["demo-clinic · live", "/home/sam/.local/share/app.taskbell.desktop", "logs/taskbell.log", "Canvas, receiving by live (plugin)", "Debian GNU/Linux 12"]) {
      expect(about.textContent).toContain(shown);
    }
  });

  it("copies what the shell composed as diagnostics", async () => {
    api.diagnostics.mockResolvedValue("Taskbell: 0.1.0\nLast 2 log lines:\n…");
    render(AboutSection);
    await fireEvent.click(await screen.findByRole("button", { name: "Copy diagnostics" }));
    await screen.findByText(/Diagnostics copied/);
    expect(clipboard).toEqual(["Taskbell: 0.1.0\nLast 2 log lines:\n…"]);
  });

  it("says why when diagnostics could not be made, and copies nothing", async () => {
    api.diagnostics.mockRejectedValue("the task database failed: disk I/O error");
    render(AboutSection);
    await fireEvent.click(await screen.findByRole("button", { name: "Copy diagnostics" }));
    await screen.findByText("the task database failed: disk I/O error");
    expect(clipboard).toEqual([]);
  });

  it("opens the log folder", async () => {
    render(AboutSection);
    await fireEvent.click(await screen.findByRole("button", { name: "Open log folder" }));
    expect(api.openLogFolder).toHaveBeenCalledTimes(1);
  });

  it("has no log folder button without a log file", async () => {
    api.about.mockResolvedValue(sampleAbout({ log_file: null }));
    render(AboutSection);
    await screen.findByText(/the log goes to the terminal only/);
    expect(screen.queryByRole("button", { name: "Open log folder" })).toBeNull();
  });
});

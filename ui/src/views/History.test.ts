import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { HistoryQuery } from "../lib/api";
import { api, emit, resetFake, taskRow } from "../test/fakeApi";
import History from "./History.svelte";

vi.mock("../lib/api", async (orig) => (await import("../test/fakeApi")).mockModule(await orig()));

const lastQuery = (): HistoryQuery => api.history.mock.calls.at(-1)![0];
const rowsShown = () => screen.queryAllByTestId("history-row");

beforeEach(() => {
  resetFake();
});

describe("History", () => {
  it("lists tasks with status, people and times, and marks completions seen", async () => {
    api.history.mockResolvedValue({
      rows: [
        taskRow(1, { status: "completed", description: "Call about the claim", done_at: 1_700_000_500_000 }),
        taskRow(2, { description: "Fax the referral", assignee_name: null, team_name: "Billing", patient_name: null }),
      ],
      next: null,
    });
    render(History, { active: true });
    await waitFor(() => expect(rowsShown()).toHaveLength(2));
    const [first, second] = rowsShown();
    expect(first.textContent).toContain("Completed");
    expect(first.textContent).toContain("Call about the claim");
    expect(first.textContent).toContain("Patient 1");
    expect(first.textContent).toContain("Dr. Ng");
    expect(second.textContent).toContain("Open");
    expect(second.textContent).toContain("Billing");
    expect(second.textContent).toContain("Patient (name not given)");
    expect(lastQuery()).toMatchObject({ statuses: [], after: null, limit: 100, mine_only: false, text: null });
  });

  it("asks again with the chosen statuses", async () => {
    api.history.mockResolvedValue({ rows: [taskRow(1)], next: null });
    render(History);
    await waitFor(() => expect(rowsShown()).toHaveLength(1));
    await fireEvent.click(screen.getByLabelText("Completed"));
    await fireEvent.click(screen.getByLabelText("Closed"));
    await waitFor(() => expect(lastQuery().statuses).toEqual(["completed", "closed"]));
    expect(lastQuery().after).toBeNull();
    await fireEvent.click(screen.getByLabelText("Only mine"));
    await waitFor(() => expect(lastQuery().mine_only).toBe(true));
    expect(lastQuery().statuses).toEqual(["completed", "closed"]);
  });

  it("waits for a pause in typing before searching", async () => {
    render(History);
    await waitFor(() => expect(api.history).toHaveBeenCalledTimes(1));
    const box = screen.getByLabelText("Search tasks");
    await fireEvent.input(box, { target: { value: "ins" } });
    await fireEvent.input(box, { target: { value: "insur" } });
    expect(api.history).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(api.history).toHaveBeenCalledTimes(2));
    expect(lastQuery().text).toBe("insur");
  });

  it("sends a date range as whole local days", async () => {
    render(History);
    await waitFor(() => expect(api.history).toHaveBeenCalledTimes(1));
    await fireEvent.change(screen.getByLabelText("From"), { target: { value: "2025-03-01" } });
    await fireEvent.change(screen.getByLabelText("to"), { target: { value: "2025-03-02" } });
    await waitFor(() => expect(lastQuery().to).toBe(new Date(2025, 2, 3).getTime()));
    expect(lastQuery().from).toBe(new Date(2025, 2, 1).getTime());
  });

  it("loads the next page after the previous page's cursor and appends it", async () => {
    const cursor = { created_at: 1_699_999_000_000, rowid: 100 };
    api.history
      .mockResolvedValueOnce({ rows: [taskRow(1), taskRow(2)], next: cursor })
      .mockResolvedValueOnce({ rows: [taskRow(3)], next: null });
    render(History);
    await fireEvent.click(await screen.findByRole("button", { name: "Load more" }));
    await waitFor(() => expect(rowsShown()).toHaveLength(3));
    expect(api.history).toHaveBeenCalledTimes(2);
    expect(lastQuery().after).toEqual(cursor);
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
    expect(screen.getByText(/That is everything \(3 tasks\)/)).toBeTruthy();
  });

  it("tells a screen reader how many rows there are and where each one sits", async () => {
    const cursor = { created_at: 1_699_999_000_000, rowid: 100 };
    api.history
      .mockResolvedValueOnce({ rows: [taskRow(1), taskRow(2)], next: cursor })
      .mockResolvedValueOnce({ rows: [taskRow(3)], next: null });
    render(History);
    await waitFor(() => expect(rowsShown()).toHaveLength(2));
    const table = screen.getByRole("table");
    expect(table.getAttribute("aria-rowcount")).toBe("-1");
    await fireEvent.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(rowsShown()).toHaveLength(3));
    expect(table.getAttribute("aria-rowcount")).toBe("4");
    expect(rowsShown().map((r) => r.getAttribute("aria-rowindex"))).toEqual(["2", "3", "4"]);
  });

  it("shows the timeline of the selected task", async () => {
    api.history.mockResolvedValue({ rows: [taskRow(7, { permalink: "https://demo.canvasmedical.com/permalinks/v1/x" })], next: null });
    api.timeline.mockResolvedValue([
      { kind: "created", source: "api", occurred_at: 1_700_000_000_000, received_at: 1_700_000_000_000, status_before: null, status_after: "open", actor: null, detail: {} },
      { kind: "completed", source: "socket", occurred_at: 1_700_003_600_000, received_at: 1_700_003_601_000, status_before: "open", status_after: "completed", actor: "Dr. Ng", detail: { owner: "Dr. Ng", stale: true } },
    ]);
    render(History);
    await fireEvent.click(await screen.findByRole("button", { name: "Task number 7" }));
    expect(api.timeline).toHaveBeenCalledWith("https://fumage-demo-clinic.canvasmedical.com", "task-7");
    const panel = await screen.findByRole("complementary", { name: "Task number 7" });
    const events = await within(panel).findAllByRole("listitem");
    expect(events).toHaveLength(2);
    expect(events[0].textContent).toContain("Created");
    expect(events[0].textContent).toContain("via Taskbell");
    expect(events[1].textContent).toContain("Completed");
    expect(events[1].textContent).toContain("via Canvas plugin");
    expect(events[1].textContent).toContain("Open → Completed");
    expect(events[1].textContent).toContain("Assigned to: Dr. Ng");
    expect(events[1].textContent).toContain("did not change the status");
    await fireEvent.click(within(panel).getByRole("button", { name: "Open in Canvas" }));
    expect(api.openUrl).toHaveBeenCalledWith("https://demo.canvasmedical.com/permalinks/v1/x");
  });

  it("opens a task in Canvas from its row", async () => {
    api.history.mockResolvedValue({ rows: [taskRow(1, { permalink: "https://x/permalinks/1" }), taskRow(2)], next: null });
    render(History);
    const buttons = await screen.findAllByRole("button", { name: /in Canvas/ });
    expect(buttons).toHaveLength(1);
    await fireEvent.click(buttons[0]);
    expect(api.openUrl).toHaveBeenCalledWith("https://x/permalinks/1");
  });

  it("exports the current query and says where the file went", async () => {
    api.history.mockResolvedValue({ rows: [taskRow(1)], next: null });
    api.exportCsv.mockResolvedValue("/home/kim/Downloads/taskbell-history.csv");
    render(History);
    await waitFor(() => expect(rowsShown()).toHaveLength(1));
    await fireEvent.click(screen.getByLabelText("Open"));
    await fireEvent.click(screen.getByRole("button", { name: "Export CSV" }));
    expect(api.exportCsv).toHaveBeenCalledWith(expect.objectContaining({ statuses: ["open"], after: null }));
    expect((await screen.findByText(/Saved to/)).textContent).toContain("/home/kim/Downloads/taskbell-history.csv");
  });

  it("charts completions per local day and the median time to complete", async () => {
    api.stats.mockResolvedValue({ per_day: [], median_ms_to_complete: 12_000_000 });
    render(History);
    await waitFor(() => expect(screen.getByTestId("median").textContent).toBe("3 h 20 min"));
    const [from, to, offset] = api.stats.mock.calls[0];
    expect(to - from).toBeGreaterThanOrEqual(30 * 86_400_000 - 3_600_000);
    expect(offset).toBe(-new Date().getTimezoneOffset() * 60_000);
    expect(screen.getByRole("img").getAttribute("aria-label")).toMatch(/No tasks completed/);
  });

  it("says what to do when there is nothing, or nothing matching", async () => {
    render(History);
    expect(await screen.findByText("No tasks yet.")).toBeTruthy();
    await fireEvent.click(screen.getByLabelText("Closed"));
    expect(await screen.findByText("No tasks match these filters.")).toBeTruthy();
    const clears = screen.getAllByRole("button", { name: "Clear filters" });
    await fireEvent.click(clears[clears.length - 1]);
    await waitFor(() => expect(lastQuery().statuses).toEqual([]));
  });

  it("shows a load error with a way to try again", async () => {
    api.history.mockRejectedValueOnce("The history database is busy; try again in a moment.");
    render(History);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The history database is busy");
    api.history.mockResolvedValue({ rows: [taskRow(1)], next: null });
    await fireEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(rowsShown()).toHaveLength(1));
  });

  it("renders only the rows near the viewport of a long list", async () => {
    const many = Array.from({ length: 500 }, (_, i) => taskRow(i + 1));
    api.history.mockResolvedValue({ rows: many, next: null });
    render(History);
    await waitFor(() => expect(rowsShown().length).toBeGreaterThan(0));
    expect(rowsShown().length).toBeLessThan(60);
  });
});

import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, emit, resetFake, taskRow } from "../test/fakeApi";
import History from "./History.svelte";

vi.mock("../lib/api", async (orig) => (await import("../test/fakeApi")).mockModule(await orig()));

const SYSTEM = "https://fumage-demo-clinic.canvasmedical.com";
const rowsShown = () => screen.queryAllByTestId("history-row");
const scroller = () => document.querySelector<HTMLDivElement>(".scroller")!;
const changed = (id: string, status: "open" | "completed" | "closed" = "open") =>
  emit.taskChanged({ task: { system: SYSTEM, id }, kind: status === "open" ? "updated" : status, status });

async function scrollTo(top: number) {
  scroller().scrollTop = top;
  await fireEvent.scroll(scroller());
}

beforeEach(() => {
  resetFake();
  api.history.mockResolvedValue({ rows: [taskRow(1), taskRow(2), taskRow(3)], next: null });
});

describe("History live updates", () => {
  it("reads a burst of changes without reloading the list, and the chart at most once a second", async () => {
    render(History);
    await waitFor(() => expect(rowsShown()).toHaveLength(3));
    expect(api.stats).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 20; i++) changed(`task-${(i % 3) + 1}`);
    await waitFor(() => expect(api.stats).toHaveBeenCalledTimes(2), { timeout: 2000 });
    // Three tasks changed, so three rows are read, however many events named them.
    expect(api.task).toHaveBeenCalledTimes(3);
    await new Promise((r) => setTimeout(r, 1200));
    expect(api.stats).toHaveBeenCalledTimes(2);
    expect(api.history).toHaveBeenCalledTimes(1);
  });

  it("updates a changed row where it stands, keeping the open timeline and the scroll position", async () => {
    render(History);
    await fireEvent.click(await screen.findByRole("button", { name: "Task number 2" }));
    const panel = await screen.findByRole("complementary", { name: "Task number 2" });
    await waitFor(() => expect(api.timeline).toHaveBeenCalledTimes(1));
    const list = scroller();
    await scrollTo(40);

    api.task.mockResolvedValue(taskRow(2, { status: "completed", description: "Task number 2", assignee_name: "Dr. Patel" }));
    changed("task-2", "completed");

    await waitFor(() => expect(rowsShown()[1].textContent).toContain("Completed"));
    expect(api.task).toHaveBeenCalledWith(SYSTEM, "task-2");
    expect(rowsShown().map((r) => within(r).getByRole("button", { name: /Task number/ }).textContent)).toEqual([
      "Task number 1",
      "Task number 2",
      "Task number 3",
    ]);
    expect(screen.getByRole("complementary", { name: "Task number 2" })).toBe(panel);
    expect(panel.textContent).toContain("Completed");
    expect(panel.textContent).toContain("Dr. Patel");
    await waitFor(() => expect(api.timeline).toHaveBeenCalledTimes(2));
    expect(scroller()).toBe(list);
    expect(list.scrollTop).toBe(40);
    expect(api.history).toHaveBeenCalledTimes(1);
  });

  it("puts a new task on top, keeping the rows in view where they were", async () => {
    render(History);
    await waitFor(() => expect(rowsShown()).toHaveLength(3));
    await scrollTo(100);
    api.task.mockResolvedValue(taskRow(0, { description: "Brand new" }));
    changed("task-0");
    await waitFor(() => expect(rowsShown()).toHaveLength(4));
    expect(rowsShown()[0].textContent).toContain("Brand new");
    // One row (56 px) was added above what the user was looking at.
    expect(scroller().scrollTop).toBe(156);
    expect(api.history).toHaveBeenCalledTimes(1);
  });

  it("shows a new task arriving at the top of a list scrolled to the top", async () => {
    render(History);
    await waitFor(() => expect(rowsShown()).toHaveLength(3));
    api.task.mockResolvedValue(taskRow(0, { description: "Brand new" }));
    changed("task-0");
    await waitFor(() => expect(rowsShown()[0].textContent).toContain("Brand new"));
    expect(scroller().scrollTop).toBe(0);
  });

  it("leaves out a new task the filters would not list, and puts an older one where it sorts", async () => {
    render(History);
    await waitFor(() => expect(rowsShown()).toHaveLength(3));
    await fireEvent.click(screen.getByLabelText("Open"));
    await waitFor(() => expect(api.history).toHaveBeenCalledTimes(2));

    api.task.mockResolvedValueOnce(taskRow(0, { status: "completed", description: "Done elsewhere" }));
    changed("task-0", "completed");
    await waitFor(() => expect(api.task).toHaveBeenCalledTimes(1));

    // Older than every listed row, in a list that has no more pages: it goes last.
    api.task.mockResolvedValueOnce(taskRow(9, { description: "Found late" }));
    changed("task-9");
    await waitFor(() => expect(rowsShown()).toHaveLength(4));
    expect(rowsShown()[3].textContent).toContain("Found late");
    expect(screen.queryByText("Done elsewhere")).toBeNull();
  });

  it("leaves a task older than every listed row to the page not loaded yet", async () => {
    const cursor = { created_at: 1_699_999_000_000, rowid: 3 };
    api.history.mockResolvedValue({ rows: [taskRow(1), taskRow(2), taskRow(3)], next: cursor });
    render(History);
    await waitFor(() => expect(rowsShown()).toHaveLength(3));
    api.task.mockResolvedValueOnce(taskRow(9, { description: "Found late" }));
    changed("task-9");
    await waitFor(() => expect(api.task).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 50));
    expect(rowsShown()).toHaveLength(3);
    expect(screen.queryByText("Found late")).toBeNull();
  });

  it("drops a row read under filters the user has since changed", async () => {
    let answer: (r: ReturnType<typeof taskRow>) => void = () => {};
    api.task.mockImplementation(() => new Promise((r) => (answer = r)));
    render(History);
    await waitFor(() => expect(rowsShown()).toHaveLength(3));
    changed("task-0");
    await waitFor(() => expect(api.task).toHaveBeenCalledTimes(1));
    await fireEvent.click(screen.getByLabelText("Closed"));
    await waitFor(() => expect(api.history).toHaveBeenCalledTimes(2));
    answer(taskRow(0, { description: "Brand new" }));
    await new Promise((r) => setTimeout(r, 50));
    expect(screen.queryByText("Brand new")).toBeNull();
  });
});

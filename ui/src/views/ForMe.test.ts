import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { formatWhen } from "../lib/format";
import { api, emit, forMeRow, notice, resetFake, sampleSettings } from "../test/fakeApi";
import ForMe from "./ForMe.svelte";

vi.mock("../lib/api", async (orig) => (await import("../test/fakeApi")).mockModule(await orig()));

const SYSTEM = "https://fumage-demo-clinic.canvasmedical.com";
const rowsShown = () => screen.queryAllByTestId("forme-row");
const noticesShown = () => screen.queryAllByTestId("notice");
const lastAsk = () => api.forMe.mock.calls.at(-1)!;
const offset = () => -new Date().getTimezoneOffset() * 60_000;

beforeEach(() => {
  resetFake();
});

describe("For me", () => {
  it("lists open tasks with patient, who has them, due time and visible overdue / due-today marks", async () => {
    const late = Date.now() - 2 * 3_600_000;
    const soon = Date.now() + 3 * 3_600_000;
    api.forMe.mockResolvedValue([
      forMeRow(1, { description: "Call the lab", patient_name: "Ada Lovelace", due_at: late }, { overdue: true }),
      forMeRow(2, { description: "Fax the referral", assignee_name: null, assignee_id: null, team_name: "Billing", due_at: soon }, { due_today: true }),
      forMeRow(3, { description: "Scan the forms", patient_name: null }),
    ]);
    render(ForMe);
    await waitFor(() => expect(rowsShown()).toHaveLength(3));
    expect(api.forMe).toHaveBeenCalledWith("me", false, offset());
    const [first, second, third] = rowsShown();
    expect(first.textContent).toContain("Call the lab");
    expect(first.textContent).toContain("Ada Lovelace");
    expect(first.textContent).toContain("Dr. Ng");
    expect(first.textContent).toContain(`Due ${formatWhen(late)}`);
    expect(first.textContent).toContain("(2 h ago)");
    expect(within(first).getByText("Overdue")).toBeTruthy();
    expect(within(first).queryByText("Due today")).toBeNull();
    expect(second.textContent).toContain("Billing");
    expect(second.textContent).toMatch(/\(in 2 h 59 min\)|\(in 3 h\)/);
    expect(within(second).getByText("Due today")).toBeTruthy();
    expect(within(second).queryByText("Overdue")).toBeNull();
    expect(third.textContent).toContain("Patient (name not given)");
    expect(third.textContent).toContain("No due date");
    expect(third.textContent).not.toMatch(/Overdue|Due today/);
  });

  it("asks again for whom and overdue-only as they are chosen", async () => {
    render(ForMe);
    await waitFor(() => expect(api.forMe).toHaveBeenCalledTimes(1));
    const group = screen.getByRole("radiogroup", { name: "Show tasks for" });
    expect(within(group).getAllByRole("radio").map((r) => r.parentElement?.textContent?.trim())).toEqual(["Me", "My teams", "Both"]);
    await fireEvent.click(screen.getByLabelText("My teams"));
    await waitFor(() => expect(lastAsk()).toEqual(["teams", false, offset()]));
    await fireEvent.click(screen.getByLabelText("Overdue only"));
    await waitFor(() => expect(lastAsk()).toEqual(["teams", true, offset()]));
    await fireEvent.click(screen.getByLabelText("Both"));
    await waitFor(() => expect(lastAsk()).toEqual(["both", true, offset()]));
    expect(api.forMe).toHaveBeenCalledTimes(4);
  });

  it("says nothing is waiting, and points to Settings when no teams are chosen", async () => {
    const onsettings = vi.fn();
    render(ForMe, { onsettings });
    expect((await screen.findByTestId("fm-empty")).textContent).toContain("Nothing is waiting for you");
    expect(screen.queryByRole("button", { name: "Choose teams in Settings" })).toBeNull();
    expect(api.settings).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByLabelText("My teams"));
    await fireEvent.click(await screen.findByRole("button", { name: "Choose teams in Settings" }));
    expect(onsettings).toHaveBeenCalled();
    expect(screen.getByTestId("fm-empty").textContent).toContain("What notifies you");
  });

  it("does not point to Settings when teams are chosen but have nothing open", async () => {
    api.settings.mockResolvedValue({ ...sampleSettings(), notify: { ...sampleSettings().notify, teams: ["g1"] } });
    render(ForMe, { onsettings: vi.fn() });
    await screen.findByTestId("fm-empty");
    await fireEvent.click(screen.getByLabelText("Both"));
    await waitFor(() => expect(api.settings).toHaveBeenCalled());
    expect(screen.queryByRole("button", { name: "Choose teams in Settings" })).toBeNull();
  });

  it("refreshes once for a burst of task changes, keeping the filter", async () => {
    render(ForMe);
    await waitFor(() => expect(api.forMe).toHaveBeenCalledTimes(1));
    await fireEvent.click(screen.getByLabelText("Both"));
    await waitFor(() => expect(api.forMe).toHaveBeenCalledTimes(2));
    api.forMe.mockResolvedValue([forMeRow(5)]);
    emit.taskChanged({ task: { system: SYSTEM, id: "task-5" }, kind: "assigned", status: "open" });
    emit.taskChanged({ task: { system: SYSTEM, id: "task-6" }, kind: "updated", status: "open" });
    await waitFor(() => expect(rowsShown()).toHaveLength(1), { timeout: 1500 });
    expect(api.forMe).toHaveBeenCalledTimes(3);
    expect(lastAsk()[0]).toBe("both");
  });

  it("opens the chosen task's detail beside the list; rows are buttons, and arrow keys move between them", async () => {
    api.forMe.mockResolvedValue([forMeRow(1), forMeRow(2, { description: "Fax the referral" })]);
    render(ForMe);
    await waitFor(() => expect(rowsShown()).toHaveLength(2));
    const [first, second] = rowsShown();
    expect(first.tagName).toBe("BUTTON");
    first.focus();
    await fireEvent.keyDown(first, { key: "ArrowDown" });
    expect(document.activeElement).toBe(second);
    await fireEvent.click(second);
    expect(api.taskDetail).toHaveBeenCalledWith(SYSTEM, "task-2");
    expect(second.getAttribute("aria-current")).toBe("true");
    expect(await screen.findByRole("complementary")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Hide task details" }));
    expect(screen.queryByRole("complementary")).toBeNull();
    expect(document.activeElement).toBe(second);
  });

  it("lists unread notices, newest first, marking held ones; opening one shows its task and marks it read", async () => {
    api.unread.mockResolvedValue([
      notice(1, { summary: "Task assigned to you", body: "Call the lab\nfrom Dr. Ng", held: true }),
      notice(2, { summary: "Task completed", body: "Fax the referral" }),
    ]);
    const onunread = vi.fn();
    render(ForMe, { onunread });
    await waitFor(() => expect(noticesShown()).toHaveLength(2));
    const [held, plain] = noticesShown();
    expect(held.textContent).toContain("Task assigned to you");
    expect(held.textContent).toContain("from Dr. Ng");
    expect(held.textContent).toContain(formatWhen(notice(1).at));
    expect(within(held).getByText("Held during quiet hours")).toBeTruthy();
    expect(within(plain).queryByText("Held during quiet hours")).toBeNull();

    await fireEvent.click(plain);
    expect(api.taskDetail).toHaveBeenCalledWith(SYSTEM, "task-2");
    expect(api.markRead).toHaveBeenCalledWith(2);
    await waitFor(() => expect(noticesShown()).toHaveLength(1));
    expect(onunread).toHaveBeenLastCalledWith(1);
  });

  it("Mark all read tells the shell and empties the list", async () => {
    api.unread.mockResolvedValue([notice(1), notice(2), notice(3)]);
    const onunread = vi.fn();
    render(ForMe, { onunread });
    await waitFor(() => expect(noticesShown()).toHaveLength(3));
    await fireEvent.click(screen.getByRole("button", { name: "Mark all read" }));
    expect(api.markAllRead).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(noticesShown()).toHaveLength(0));
    expect(screen.queryByRole("button", { name: "Mark all read" })).toBeNull();
    expect(onunread).toHaveBeenLastCalledWith(0);
  });

  it("reads notices again when the shell's unread count changes", async () => {
    const { rerender } = render(ForMe, { unread: 0 });
    await waitFor(() => expect(api.unread).toHaveBeenCalledTimes(1));
    api.unread.mockResolvedValue([notice(7, { summary: "Task overdue" })]);
    await rerender({ unread: 1 });
    await waitFor(() => expect(noticesShown()).toHaveLength(1));
    expect(noticesShown()[0].textContent).toContain("Task overdue");
    await rerender({ unread: 1 });
    expect(api.unread).toHaveBeenCalledTimes(2);
  });

  it("opens the task the shell asks for", async () => {
    render(ForMe, { open: { system: SYSTEM, id: "task-42" } });
    await waitFor(() => expect(api.taskDetail).toHaveBeenCalledWith(SYSTEM, "task-42"));
    expect(await screen.findByRole("complementary")).toBeTruthy();
  });

  it("shows a load error with a way to try again", async () => {
    api.forMe.mockRejectedValueOnce("The history database is busy; try again in a moment.");
    render(ForMe);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The history database is busy");
    api.forMe.mockResolvedValue([forMeRow(1)]);
    await fireEvent.click(within(alert).getByRole("button", { name: "Try again" }));
    await waitFor(() => expect(rowsShown()).toHaveLength(1));
  });
});

import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ActView, TaskRow } from "../lib/api";
import { api, listing, resetFake, sampleDetail, taskRow } from "../test/fakeApi";
import { formatWhen } from "../lib/format";
import TaskDetail from "./TaskDetail.svelte";

vi.mock("../lib/api", async (orig) => (await import("../test/fakeApi")).mockModule(await orig()));

const SYSTEM = "https://fumage-demo-clinic.canvasmedical.com";

function showTask(over: Partial<TaskRow> = {}, detail: Parameters<typeof sampleDetail>[0] = {}) {
  api.taskDetail.mockResolvedValue(sampleDetail({ row: taskRow(4, over), ...detail }));
  const onacted = vi.fn();
  render(TaskDetail, { system: SYSTEM, taskId: "task-4", onclose: vi.fn(), onacted });
  return onacted;
}

/** An act call that stays unanswered until the test answers it. */
function holdAct() {
  let answer!: (o: ActView) => void;
  let refuse!: (e: unknown) => void;
  api.act.mockImplementation(
    () =>
      new Promise<ActView>((res, rej) => {
        answer = res;
        refuse = rej;
      }),
  );
  return { answer: (o: ActView) => answer(o), refuse: (e: unknown) => refuse(e) };
}

const button = (name: string) => screen.getByRole("button", { name }) as HTMLButtonElement;
const box = (label: string) => screen.getByLabelText(label, { selector: "input, select, textarea" }) as HTMLInputElement;

beforeEach(() => {
  resetFake();
});

describe("TaskDetail", () => {
  it("shows the stored fields, the comments with “You” for this user's own, and the timeline", async () => {
    const due = new Date(2030, 0, 2, 9, 0).getTime();
    showTask(
      {
        description: "Call about the claim",
        patient_name: "Ada Lovelace",
        assignee_id: "s1",
        assignee_name: "Dr. Ng",
        team_id: "g1",
        team_name: "Billing",
        requester_id: "staff-1",
        labels: ["urgent", "billing"],
        due_at: due,
        permalink: "https://demo-clinic.canvasmedical.com/permalinks/v1/x",
      },
      {
        notes: [
          { text: "Called, no answer.", time: "2025-03-04T17:05:00-05:00", author: "staff-1", author_name: "Sam Staff" },
          { text: "Will try tomorrow.", time: null, author: "s1", author_name: "Dr. Ng" },
          { text: "Left a voicemail.", time: null, author: "s7", author_name: null },
        ],
      },
    );
    const panel = await screen.findByRole("complementary", { name: "Call about the claim" });
    expect(within(panel).getByTestId("status-badge").textContent).toBe("Open");
    const fields = panel.querySelector("dl")!.textContent!;
    for (const shown of ["Ada Lovelace", "Dr. Ng", "Billing", "urgent, billing", formatWhen(due)]) expect(fields).toContain(shown);
    // The requester is this user.
    expect(fields).toMatch(/RequesterYou/);
    const notes = within(screen.getByRole("list", { name: "Comments, oldest first" })).getAllByRole("listitem");
    expect(notes.map((n) => n.querySelector("strong")!.textContent)).toEqual(["You", "Dr. Ng", "s7"]);
    expect(notes[0].textContent).toContain("Called, no answer.");
    expect(notes[0].querySelector("time")?.getAttribute("datetime")).toBe("2025-03-04T17:05:00-05:00");
    expect(api.timeline).toHaveBeenCalledWith(SYSTEM, "task-4");
    await fireEvent.click(button("Open in Canvas"));
    expect(api.openUrl).toHaveBeenCalledWith("https://demo-clinic.canvasmedical.com/permalinks/v1/x");
  });

  it("completes with the status that was seen, once even on a double click, then reads the task again", async () => {
    const onacted = showTask();
    await screen.findByRole("button", { name: "Complete" });
    expect(api.taskDetail).toHaveBeenCalledTimes(1);
    const act = holdAct();
    const complete = button("Complete");
    fireEvent.click(complete);
    fireEvent.click(complete);
    await waitFor(() => expect(complete.disabled).toBe(true));
    expect(button("Close").disabled).toBe(true);
    expect(screen.getByTestId("td-outcome").textContent).toContain("Sending to Canvas");
    await fireEvent.click(complete);
    expect(api.act).toHaveBeenCalledTimes(1);
    expect(api.act).toHaveBeenCalledWith(SYSTEM, "task-4", { kind: "complete" }, "open");

    api.taskDetail.mockResolvedValue(sampleDetail({ row: taskRow(4, { status: "completed" }) }));
    act.answer({ state: "done", already: false, message: "Completed." });
    await waitFor(() => expect(screen.getByTestId("td-outcome").textContent).toBe("Completed."));
    await waitFor(() => expect(api.taskDetail).toHaveBeenCalledTimes(2));
    expect(await screen.findByRole("button", { name: "Reopen" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Complete" })).toBeNull();
    expect(onacted).toHaveBeenCalledTimes(1);
    expect(api.act).toHaveBeenCalledTimes(1);
  });

  it("reopens a finished task, sending the status it had", async () => {
    showTask({ status: "closed" });
    await fireEvent.click(await screen.findByRole("button", { name: "Reopen" }));
    expect(screen.queryByRole("button", { name: "Close" })).toBeNull();
    expect(api.act).toHaveBeenCalledWith(SYSTEM, "task-4", { kind: "reopen" }, "closed");
  });

  it("adds a comment once and clears the box", async () => {
    showTask();
    await screen.findByRole("button", { name: "Complete" });
    const add = button("Add comment");
    expect(add.disabled).toBe(true);
    await fireEvent.input(box("Comment"), { target: { value: "   " } });
    expect(add.disabled).toBe(true);
    await fireEvent.input(box("Comment"), { target: { value: "  Spoke to the payer. " } });
    expect(add.disabled).toBe(false);
    const act = holdAct();
    fireEvent.click(add);
    fireEvent.click(add);
    await waitFor(() => expect(add.disabled).toBe(true));
    expect(api.act).toHaveBeenCalledTimes(1);
    expect(api.act).toHaveBeenCalledWith(SYSTEM, "task-4", { kind: "comment", text: "Spoke to the payer." }, "open");
    act.answer({ state: "done", already: false, message: "Comment added." });
    await waitFor(() => expect(box("Comment").value).toBe(""));
    expect(screen.getByTestId("td-outcome").textContent).toBe("Comment added.");
    expect(button("Add comment").disabled).toBe(true);
  });

  it("shows a refusal as an alert and keeps what was typed", async () => {
    showTask();
    await screen.findByRole("button", { name: "Complete" });
    await fireEvent.input(box("Comment"), { target: { value: "Done on my side" } });
    api.act.mockRejectedValue("Someone closed this task meanwhile; it was not completed.");
    await fireEvent.click(button("Complete"));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe("Someone closed this task meanwhile; it was not completed.");
    expect(box("Comment").value).toBe("Done on my side");
    await waitFor(() => expect(api.taskDetail).toHaveBeenCalledTimes(2));
  });

  it("says a queued action will be sent when Canvas answers, and why it waits", async () => {
    showTask();
    await screen.findByRole("button", { name: "Complete" });
    await fireEvent.input(box("Comment"), { target: { value: "Later" } });
    api.act.mockResolvedValue({ state: "queued", local_id: "a-1", reason: "Canvas did not answer within 10 s." });
    await fireEvent.click(button("Add comment"));
    await waitFor(() =>
      expect(screen.getByTestId("td-outcome").textContent).toBe("Queued — it will be sent when Canvas answers: Canvas did not answer within 10 s."),
    );
    // Queued is saved: the box clears so the comment is not sent twice.
    expect(box("Comment").value).toBe("");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("reassigns to a person picked from the staff search, and to a team", async () => {
    api.searchPractitioners.mockResolvedValue(listing([{ id: "s9", name: "Nurse Joy" }]));
    api.teams.mockResolvedValue(listing([{ id: "g1", name: "Billing" }, { id: "g2", name: "Front desk" }]));
    showTask({ status: "open" });
    await screen.findByRole("button", { name: "Complete" });
    expect(button("Assign to person").disabled).toBe(true);
    await fireEvent.input(box("To a person"), { target: { value: "Joy" } });
    await fireEvent.click(await screen.findByRole("option", { name: /Nurse Joy/ }));
    await fireEvent.click(button("Assign to person"));
    expect(api.act).toHaveBeenCalledWith(SYSTEM, "task-4", { kind: "assign_owner", practitioner: "s9" }, "open");
    await waitFor(() => expect(box("To a person").value).toBe(""));

    await waitFor(() => expect(screen.getByRole("option", { name: "Front desk" })).toBeTruthy());
    await fireEvent.change(box("To a team"), { target: { value: "g2" } });
    await waitFor(() => expect(button("Assign to team").disabled).toBe(false));
    await fireEvent.click(button("Assign to team"));
    expect(api.act).toHaveBeenLastCalledWith(SYSTEM, "task-4", { kind: "assign_team", group: "g2" }, "open");
  });

  it("moves the due time, sent with the offset of the chosen day", async () => {
    showTask({ due_at: Date.parse("2025-03-01T14:00:00Z") });
    await screen.findByRole("button", { name: "Complete" });
    expect(box("Due").value).toBe("2025-03-01T09:00");
    await fireEvent.input(box("Due"), { target: { value: "2025-07-04T09:30" } });
    await fireEvent.click(button("Change due date"));
    expect(api.act).toHaveBeenCalledWith(SYSTEM, "task-4", { kind: "due", due: "2025-07-04T09:30:00-04:00" }, "open");
    await fireEvent.input(box("Due"), { target: { value: "" } });
    expect(button("Change due date").disabled).toBe(true);
  });

  it("says why Canvas could not be read and still shows what is stored", async () => {
    showTask({ description: "Fax the referral" }, { fresh: false, problem: "Canvas did not answer within 10 s.", notes: [] });
    const stale = await screen.findByTestId("td-stale");
    expect(stale.textContent).toContain("Canvas did not answer within 10 s.");
    expect(screen.getByRole("heading", { name: "Fax the referral" })).toBeTruthy();
    expect(screen.getByText("Comments could not be read from Canvas.")).toBeTruthy();
    expect(button("Complete")).toBeTruthy();
  });

  it("sends actions with no seen status for a task Taskbell has not stored", async () => {
    api.taskDetail.mockResolvedValue(sampleDetail({ row: null, notes: [{ text: "From Canvas", time: null, author: null, author_name: null }] }));
    render(TaskDetail, { system: SYSTEM, taskId: "task-99", onclose: vi.fn() });
    expect(await screen.findByText(/no stored copy of this task/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Complete" })).toBeNull();
    await fireEvent.input(box("Comment"), { target: { value: "Seen it" } });
    await fireEvent.click(button("Add comment"));
    expect(api.act).toHaveBeenCalledWith(SYSTEM, "task-99", { kind: "comment", text: "Seen it" }, null);
  });
});

import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, emit, listing, resetFake } from "../test/fakeApi";
import NewTask from "./NewTask.svelte";

vi.mock("../lib/api", async (orig) => (await import("../test/fakeApi")).mockModule(await orig()));

const type = (el: HTMLElement, value: string) => fireEvent.input(el, { target: { value } });
const byLabel = (text: string | RegExp) => screen.getByLabelText(text, { selector: "input, textarea, select" }) as HTMLInputElement;

async function pick(label: RegExp, query: string, option: RegExp) {
  await type(byLabel(label), query);
  await fireEvent.click(await screen.findByRole("option", { name: option }));
}

beforeEach(() => {
  resetFake();
  api.searchPatients.mockResolvedValue(
    listing([
      { id: "p1", name: "Ada Lovelace", birth_date: "1815-12-10", active: true },
      { id: "p2", name: "Adam Smith", birth_date: null, active: true },
    ]),
  );
  api.searchPractitioners.mockResolvedValue(listing([{ id: "s1", name: "Dr. Grace Ng" }]));
  api.teams.mockResolvedValue(
    listing([
      { id: "t1", name: "Billing" },
      { id: "t2", name: "Front desk" },
    ]),
  );
});

describe("New task", () => {
  it("opens without focusing a field, so no caret blinks in an idle window", () => {
    render(NewTask);
    expect(document.activeElement).toBe(document.body);
  });

  it("blocks an empty description and says why, next to the field", async () => {
    render(NewTask);
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    const description = byLabel(/What needs doing/);
    expect(description.getAttribute("aria-invalid")).toBe("true");
    const message = document.getElementById(description.getAttribute("aria-describedby")!.split(" ")[0]);
    expect(message?.textContent).toMatch(/Describe the task/);
    expect(api.createTask).not.toHaveBeenCalled();
    expect(document.activeElement).toBe(description);
  });

  it("sends the draft with ids, names, labels and a due time with its offset", async () => {
    api.createTask.mockResolvedValue({ state: "created", local_id: "l1", task_id: "T-42" });
    render(NewTask);
    await type(byLabel(/What needs doing/), "Call about the claim");
    await pick(/^Patient/, "Ada", /Ada Lovelace/);
    expect(api.searchPatients).toHaveBeenCalledWith("Ada");
    expect(screen.getByText(/^Born .*1815$/)).toBeTruthy();
    await pick(/^Assignee/, "Ng", /Grace Ng/);
    await type(byLabel("Date"), "2030-03-04");
    await type(byLabel("Time"), "17:05");
    await type(byLabel(/^Labels/), "billing, urgent");
    await type(byLabel(/^Comment/), "Spoke to the insurer already.");
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));

    expect(api.createTask).toHaveBeenCalledTimes(1);
    expect(api.createTask).toHaveBeenCalledWith({
      description: "Call about the claim",
      patient: "p1",
      owner: "s1",
      team: null,
      due: "2030-03-04T17:05:00-05:00",
      labels: ["billing", "urgent"],
      comment: "Spoke to the insurer already.",
      names: { patient: "Ada Lovelace", owner: "Dr. Grace Ng", team: null },
    });
    const done = await screen.findByText(/Task created/);
    expect(done.parentElement?.textContent).toContain("Call about the claim");
    expect(done.parentElement?.textContent).toContain("T-42");
    expect(byLabel(/What needs doing/).value).toBe("");
    expect(byLabel(/^Patient/).value).toBe("");
  });

  it("sends a team instead of a person when the task goes to a team", async () => {
    api.createTask.mockResolvedValue({ state: "created", local_id: "l1", task_id: "T-1" });
    render(NewTask);
    await type(byLabel(/What needs doing/), "Re-run eligibility");
    await fireEvent.click(screen.getByLabelText("A team"));
    await waitFor(() => expect(screen.getByRole("option", { name: "Billing" })).toBeTruthy());
    await fireEvent.change(byLabel("Team"), { target: { value: "t1" } });
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(api.createTask).toHaveBeenCalledWith(
      expect.objectContaining({ owner: null, team: "t1", names: { patient: null, owner: null, team: "Billing" } }),
    );
  });

  it("shows the shell's error and keeps everything typed", async () => {
    api.createTask.mockRejectedValue("Canvas refused the task: Task.owner: practitioner s1 is inactive");
    render(NewTask);
    await type(byLabel(/What needs doing/), "Call about the claim");
    await type(byLabel(/^Labels/), "billing");
    await type(byLabel(/^Comment/), "Note");
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Canvas refused the task: Task.owner: practitioner s1 is inactive");
    expect(byLabel(/What needs doing/).value).toBe("Call about the claim");
    expect(byLabel(/^Labels/).value).toBe("billing");
    expect(byLabel(/^Comment/).value).toBe("Note");
    expect((screen.getByRole("button", { name: "Create task" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("disables the button and shows progress while sending", async () => {
    let finish!: (v: { state: "created"; local_id: string; task_id: string }) => void;
    api.createTask.mockReturnValue(new Promise((r) => (finish = r)));
    render(NewTask);
    await type(byLabel(/What needs doing/), "x");
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    const busy = screen.getByRole("button", { name: /Sending/ }) as HTMLButtonElement;
    expect(busy.disabled).toBe(true);
    await fireEvent.click(busy);
    expect(api.createTask).toHaveBeenCalledTimes(1);
    finish({ state: "created", local_id: "l", task_id: "T" });
    await screen.findByRole("button", { name: "Create task" });
  });

  it("says a queued task will be sent later, with the reason, and lists what is waiting", async () => {
    api.createTask.mockResolvedValue({ state: "pending", local_id: "l9", reason: "could not reach Canvas at demo.canvasmedical.com" });
    render(NewTask);
    await waitFor(() => expect(api.pendingTasks).toHaveBeenCalledTimes(1));
    api.pendingTasks.mockResolvedValue([
      {
        local_id: "l9",
        system: "https://fumage-demo-clinic.canvasmedical.com",
        draft: { ...emptyInput("Fax the referral"), requester: "staff-1", authored_on: null },
        state: "pending",
        attempts: 2,
        last_error: "connection refused",
        task_id: null,
        created_at: Date.now(),
        next_attempt_at: Date.now() + 30_000,
      },
    ]);
    await type(byLabel(/What needs doing/), "Fax the referral");
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    const status = await screen.findByText("Saved — will be sent when Canvas is reachable.");
    expect(status.parentElement?.textContent).toContain("could not reach Canvas at demo.canvasmedical.com");
    const list = await screen.findByRole("region", { name: /Waiting for Canvas/ });
    expect(list.textContent).toContain("Fax the referral");
    expect(list.textContent).toContain("Waiting to send");
    expect(list.textContent).toContain("connection refused");
  });

  it("refreshes the waiting list when a task changes", async () => {
    render(NewTask);
    await waitFor(() => expect(api.pendingTasks).toHaveBeenCalledTimes(1));
    emit.taskChanged({ task: { system: "s", id: "1" }, kind: "created", status: "open" });
    expect(api.pendingTasks).toHaveBeenCalledTimes(2);
  });

  it("sends on Enter in a single-line field and on Ctrl+Enter in the comment", async () => {
    api.createTask.mockResolvedValue({ state: "created", local_id: "l", task_id: "T" });
    render(NewTask);
    const description = byLabel(/What needs doing/);
    await type(description, "First");
    await fireEvent.keyDown(description, { key: "Enter" });
    await waitFor(() => expect(api.createTask).toHaveBeenCalledTimes(1));

    await type(byLabel(/What needs doing/), "Second");
    const comment = byLabel(/^Comment/);
    await type(comment, "line");
    await fireEvent.keyDown(comment, { key: "Enter" });
    expect(api.createTask).toHaveBeenCalledTimes(1);
    await fireEvent.keyDown(comment, { key: "Enter", ctrlKey: true });
    await waitFor(() => expect(api.createTask).toHaveBeenCalledTimes(2));
  });

  it("picks a suggestion with the keyboard instead of sending", async () => {
    render(NewTask);
    const patient = byLabel(/^Patient/);
    await type(patient, "Ad");
    await screen.findByRole("option", { name: /Ada Lovelace/ });
    await fireEvent.keyDown(patient, { key: "ArrowDown" });
    await fireEvent.keyDown(patient, { key: "Enter" });
    expect(patient.value).toBe("Adam Smith");
    expect(api.createTask).not.toHaveBeenCalled();
  });

  it("says when the staff suggestions were cut, and not when they were whole", async () => {
    render(NewTask);
    const owner = byLabel(/^Assignee/);
    await type(owner, "Ng");
    await screen.findByRole("option", { name: /Grace Ng/ });
    expect(screen.queryByText(/Showing the first/)).toBeNull();

    api.searchPractitioners.mockResolvedValue(listing([{ id: "s1", name: "Dr. Grace Ng" }, { id: "s2", name: "Dr. Nia Ngata" }], true));
    await type(owner, "Ngx");
    const note = await screen.findByText("Showing the first 2 — type more to narrow.");
    expect(note.getAttribute("role")).toBe("presentation");
    expect(screen.getAllByRole("option")).toHaveLength(2);
    await fireEvent.keyDown(owner, { key: "ArrowDown" });
    await fireEvent.keyDown(owner, { key: "Enter" });
    expect(owner.value).toBe("Dr. Nia Ngata");
  });

  it("says when the team list was cut", async () => {
    api.teams.mockResolvedValue(listing([{ id: "t1", name: "Billing" }], true));
    render(NewTask);
    await fireEvent.click(screen.getByLabelText("A team"));
    expect(await screen.findByText("Showing the first 1 — Canvas has more teams than this list.")).toBeTruthy();
  });

  it("refuses a typed patient that was never picked", async () => {
    render(NewTask);
    await type(byLabel(/What needs doing/), "x");
    await type(byLabel(/^Patient/), "Someone");
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(screen.getByText(/Pick a patient from the suggestions/)).toBeTruthy();
    expect(api.createTask).not.toHaveBeenCalled();
  });

  it("warns, without blocking, when the due time has passed", async () => {
    render(NewTask);
    await type(byLabel("Date"), "2020-01-02");
    expect(screen.getByText(/in the past/)).toBeTruthy();
  });
});

function emptyInput(description: string) {
  return {
    description,
    patient: null,
    owner: null,
    team: null,
    due: null,
    labels: [],
    comment: null,
    names: { patient: null, owner: null, team: null },
  };
}

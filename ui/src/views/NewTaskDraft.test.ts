import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, listing, resetFake } from "../test/fakeApi";
import { DRAFT_KEY } from "../lib/draftStore";
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
  api.searchPatients.mockResolvedValue(listing([{ id: "p1", name: "Ada Lovelace", birth_date: "1815-12-10", active: true }]));
  api.searchPractitioners.mockResolvedValue(listing([{ id: "s1", name: "Dr. Grace Ng" }]));
  api.teams.mockResolvedValue(listing([{ id: "t1", name: "Billing" }]));
});

async function typeDraft() {
  await type(byLabel(/What needs doing/), "Call about the claim");
  await pick(/^Patient/, "Ada", /Ada Lovelace/);
  await pick(/^Assignee/, "Ng", /Grace Ng/);
  await type(byLabel("Date"), "2030-03-04");
  await type(byLabel(/^Labels/), "billing");
  await type(byLabel(/^Comment/), "Spoke to the insurer.");
}

describe("New task draft", () => {
  it("comes back, picks and all, after the window is closed and opened again", async () => {
    const first = render(NewTask);
    await typeDraft();
    await waitFor(() => expect(localStorage.getItem(DRAFT_KEY)).toContain("Spoke to the insurer."));
    first.unmount();

    render(NewTask);
    expect(byLabel(/What needs doing/).value).toBe("Call about the claim");
    expect(byLabel(/^Patient/).value).toBe("Ada Lovelace");
    expect(byLabel(/^Assignee/).value).toBe("Dr. Grace Ng");
    expect(byLabel("Date").value).toBe("2030-03-04");
    expect(byLabel(/^Comment/).value).toBe("Spoke to the insurer.");
    expect(screen.getByTestId("draft-restored")).toBeTruthy();

    api.createTask.mockResolvedValue({ state: "created", local_id: "l1", task_id: "T-1" });
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(api.createTask).toHaveBeenCalledWith(
      expect.objectContaining({ patient: "p1", owner: "s1", labels: ["billing"], names: { patient: "Ada Lovelace", owner: "Dr. Grace Ng", team: null } }),
    );
  });

  it("saves the last keystrokes when unmounted before the pause in typing", async () => {
    const first = render(NewTask);
    await type(byLabel(/What needs doing/), "Fax the referral");
    first.unmount();
    render(NewTask);
    expect(byLabel(/What needs doing/).value).toBe("Fax the referral");
  });

  it("keeps a restored team pick", async () => {
    const first = render(NewTask);
    await type(byLabel(/What needs doing/), "Sort the invoices");
    await fireEvent.click(screen.getByLabelText("A team"));
    await waitFor(() => expect(screen.getByRole("option", { name: "Billing" })).toBeTruthy());
    await fireEvent.change(byLabel("Team"), { target: { value: "t1" } });
    first.unmount();

    api.createTask.mockResolvedValue({ state: "created", local_id: "l1", task_id: "T-1" });
    render(NewTask);
    await waitFor(() => expect(byLabel("Team").value).toBe("t1"));
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(api.createTask).toHaveBeenCalledWith(expect.objectContaining({ team: "t1", names: { patient: null, owner: null, team: "Billing" } }));
  });

  it("is forgotten once the task is created", async () => {
    api.createTask.mockResolvedValue({ state: "created", local_id: "l1", task_id: "T-1" });
    const first = render(NewTask);
    await typeDraft();
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    await screen.findByText(/Task created/);
    first.unmount();
    expect(localStorage.getItem(DRAFT_KEY)).toBeNull();
    render(NewTask);
    expect(byLabel(/What needs doing/).value).toBe("");
  });

  it("is forgotten once the task is queued", async () => {
    api.createTask.mockResolvedValue({ state: "pending", local_id: "l1", reason: "Canvas is unreachable." });
    const first = render(NewTask);
    await type(byLabel(/What needs doing/), "Call the lab");
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    await screen.findByText(/will be sent when Canvas is reachable/);
    first.unmount();
    expect(localStorage.getItem(DRAFT_KEY)).toBeNull();
  });

  it("stays when sending fails", async () => {
    api.createTask.mockRejectedValue("Canvas refused the task: the patient is inactive.");
    const first = render(NewTask);
    await type(byLabel(/What needs doing/), "Call the lab");
    await fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    await screen.findByTestId("create-error");
    first.unmount();
    render(NewTask);
    expect(byLabel(/What needs doing/).value).toBe("Call the lab");
  });

  it("is thrown away by Discard draft, which only shows when there is something to discard", async () => {
    const first = render(NewTask);
    expect(screen.queryByRole("button", { name: "Discard draft" })).toBeNull();
    await typeDraft();
    await fireEvent.click(screen.getByRole("button", { name: "Discard draft" }));
    expect(byLabel(/What needs doing/).value).toBe("");
    expect(byLabel(/^Patient/).value).toBe("");
    expect(screen.queryByRole("button", { name: "Discard draft" })).toBeNull();
    first.unmount();
    expect(localStorage.getItem(DRAFT_KEY)).toBeNull();
    render(NewTask);
    expect(byLabel(/^Comment/).value).toBe("");
    expect(screen.queryByTestId("draft-restored")).toBeNull();
  });

  it("opens empty when the stored draft is unreadable", async () => {
    localStorage.setItem(DRAFT_KEY, "{\"v\":1,\"draft\":");
    render(NewTask);
    expect(byLabel(/What needs doing/).value).toBe("");
    expect(screen.queryByTestId("draft-restored")).toBeNull();
    await type(byLabel(/What needs doing/), "New start");
    await waitFor(() => expect(JSON.parse(localStorage.getItem(DRAFT_KEY)!).draft.description).toBe("New start"));
  });
});

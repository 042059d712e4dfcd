import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { api, emit, events, listing, notice, resetFake, sampleStatus } from "./test/fakeApi";
import App from "./App.svelte";

vi.mock("./lib/api", async (orig) => (await import("./test/fakeApi")).mockModule(await orig()));

const tab = (name: RegExp) => screen.getByRole("tab", { name });
const panel = (id: string) => document.getElementById(`panel-${id}`);

beforeEach(() => {
  resetFake();
  window.location.hash = "";
});

describe("App", () => {
  it("shows the name, the four views with For me first, and the status line", async () => {
    render(App);
    expect(screen.getByRole("heading", { level: 1 }).textContent).toContain("Taskbell");
    expect(screen.getAllByRole("tab").map((t) => t.textContent?.trim())).toEqual(["For me", "New task", "History", "Settings"]);
    expect(tab(/New task/).getAttribute("aria-selected")).toBe("true");
    await waitFor(() => expect(screen.getByTestId("status").textContent).toContain("Sandbox · live"));
  });

  it("follows the status the shell pushes", async () => {
    render(App);
    await waitFor(() => expect(events.onStatus).toHaveBeenCalled());
    emit.status(sampleStatus({ line: "demo-clinic · polling every 30 s" }));
    await waitFor(() => expect(screen.getByTestId("status").textContent).toContain("demo-clinic · polling every 30 s"));
  });

  it("opens at the view its URL names, as the shell builds a window for a tray item", async () => {
    window.location.hash = "#history";
    render(App);
    expect(tab(/History/).getAttribute("aria-selected")).toBe("true");
    expect(panel("history")?.hidden).toBe(false);
    expect(panel("new")).toBeNull();
    await waitFor(() => expect(events.onNavigate).toHaveBeenCalled());
  });

  it("opens at New task when its URL names no view", async () => {
    window.location.hash = "#nothing";
    render(App);
    expect(tab(/New task/).getAttribute("aria-selected")).toBe("true");
    expect(panel("new")?.hidden).toBe(false);
  });

  it("switches views when the tray asks", async () => {
    render(App);
    await waitFor(() => expect(events.onNavigate).toHaveBeenCalled());
    emit.navigate("history");
    await waitFor(() => expect(tab(/History/).getAttribute("aria-selected")).toBe("true"));
    expect(panel("history")?.hidden).toBe(false);
    expect(panel("new")?.hidden).toBe(true);
    emit.navigate("settings");
    await waitFor(() => expect(panel("settings")?.hidden).toBe(false));
    expect(api.settings).toHaveBeenCalled();
  });

  it("switches views from the tabs, by click and by arrow keys, keeping a half-written task", async () => {
    render(App);
    const description = screen.getByLabelText(/What needs doing/, { selector: "input" }) as HTMLInputElement;
    await fireEvent.input(description, { target: { value: "Call the lab" } });
    await fireEvent.click(tab(/Settings/));
    expect(panel("settings")?.hidden).toBe(false);
    await fireEvent.keyDown(tab(/Settings/), { key: "ArrowRight" });
    expect(tab(/For me/).getAttribute("aria-selected")).toBe("true");
    expect(document.activeElement).toBe(tab(/For me/));
    await fireEvent.keyDown(tab(/For me/), { key: "ArrowRight" });
    expect(tab(/New task/).getAttribute("aria-selected")).toBe("true");
    expect((screen.getByLabelText(/What needs doing/, { selector: "input" }) as HTMLInputElement).value).toBe("Call the lab");
  });

  it("opens at For me when its URL says so", async () => {
    window.location.hash = "#forme";
    render(App);
    expect(tab(/For me/).getAttribute("aria-selected")).toBe("true");
    await waitFor(() => expect(api.forMe).toHaveBeenCalled());
    expect(panel("new")).toBeNull();
  });

  it("counts unread notices on the For me tab, from the status and its pushes", async () => {
    api.status.mockResolvedValue(sampleStatus({ unread: 2 }));
    render(App);
    await waitFor(() => expect(tab(/For me/).textContent).toContain("(2 unread)"));
    emit.status(sampleStatus({ unread: 5 }));
    await waitFor(() => expect(tab(/For me/).textContent).toContain("(5 unread)"));
    emit.status(sampleStatus({ unread: 0 }));
    await waitFor(() => expect(tab(/For me/).textContent?.trim()).toBe("For me"));
  });

  it("clears the tab's count when notices are marked read under For me", async () => {
    api.status.mockResolvedValue(sampleStatus({ unread: 2 }));
    api.unread.mockResolvedValue([notice(1), notice(2)]);
    render(App);
    await fireEvent.click(tab(/For me/));
    await fireEvent.click(await screen.findByRole("button", { name: "Mark all read" }));
    await waitFor(() => expect(tab(/For me/).textContent?.trim()).toBe("For me"));
    expect(api.markAllRead).toHaveBeenCalledTimes(1);
  });

  it("shows a task's detail under For me when the shell asks", async () => {
    render(App);
    await waitFor(() => expect(events.onOpenTask).toHaveBeenCalled());
    emit.openTask({ system: "https://fumage-demo-clinic.canvasmedical.com", id: "task-9" });
    await waitFor(() => expect(tab(/For me/).getAttribute("aria-selected")).toBe("true"));
    expect(panel("forme")?.hidden).toBe(false);
    await waitFor(() => expect(api.taskDetail).toHaveBeenCalledWith("https://fumage-demo-clinic.canvasmedical.com", "task-9"));
    expect(await within(panel("forme")!).findByRole("complementary")).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(panel("forme")));
  });

  it("explains a missing tray and missing notifications", async () => {
    api.status.mockResolvedValue(sampleStatus({ tray_available: false, notifications_available: false }));
    render(App);
    const banner = await screen.findByRole("region", { name: "Desktop limitations" });
    expect(banner.textContent).toContain("No system tray");
    expect(banner.textContent).toContain("keep this window open");
    expect(banner.textContent).toContain("notifications are unavailable");
  });

  it("shows no banner when the desktop has both", async () => {
    render(App);
    await waitFor(() => expect(screen.getByTestId("status").textContent).toContain("Sandbox"));
    expect(screen.queryByRole("region", { name: "Desktop limitations" })).toBeNull();
  });

  it("closes suggestions on Esc without hiding; Esc in an empty field hides", async () => {
    api.searchPatients.mockResolvedValue(listing([{ id: "p1", name: "Ada Lovelace", birth_date: null, active: true }]));
    render(App);
    const patient = screen.getByLabelText(/^Patient/, { selector: "input" });
    await fireEvent.input(patient, { target: { value: "Ada" } });
    await screen.findByRole("option", { name: /Ada Lovelace/ });
    await fireEvent.keyDown(patient, { key: "Escape" });
    expect(api.hideWindow).not.toHaveBeenCalled();
    expect(screen.queryByRole("option")).toBeNull();

    await fireEvent.keyDown(screen.getByLabelText(/What needs doing/, { selector: "input" }), { key: "Escape" });
    expect(api.hideWindow).toHaveBeenCalledTimes(1);
  });

  it("leaves the description on Esc without hiding, keeping the text; a second Esc hides", async () => {
    render(App);
    const description = screen.getByLabelText(/What needs doing/, { selector: "input" }) as HTMLInputElement;
    description.focus();
    await fireEvent.input(description, { target: { value: "Call the lab" } });
    await fireEvent.keyDown(description, { key: "Escape" });
    expect(api.hideWindow).not.toHaveBeenCalled();
    expect(description.value).toBe("Call the lab");
    expect(document.activeElement).not.toBe(description);

    await fireEvent.keyDown(document.body, { key: "Escape" });
    expect(api.hideWindow).toHaveBeenCalledTimes(1);
  });

  it("hides the window on Esc with focus on the page", async () => {
    render(App);
    await fireEvent.keyDown(document.body, { key: "Escape" });
    expect(api.hideWindow).toHaveBeenCalledTimes(1);
  });

  it("clears the history search on Esc and searches again, without hiding", async () => {
    window.location.hash = "#history";
    render(App);
    await waitFor(() => expect(api.history).toHaveBeenCalledTimes(1));
    const search = screen.getByLabelText("Search tasks") as HTMLInputElement;
    await fireEvent.input(search, { target: { value: "insur" } });
    await waitFor(() => expect(api.history.mock.calls.at(-1)![0].text).toBe("insur"));
    await fireEvent.keyDown(search, { key: "Escape" });
    expect(search.value).toBe("");
    expect(api.hideWindow).not.toHaveBeenCalled();
    await waitFor(() => expect(api.history.mock.calls.at(-1)![0].text).toBeNull());
  });

  it("says so when the status cannot be read", async () => {
    api.status.mockRejectedValue("The shell is not ready.");
    render(App);
    await waitFor(() => expect(screen.getByTestId("status").textContent).toContain("Status unavailable"));
  });
});

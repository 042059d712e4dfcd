import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AppSettings } from "../lib/api";
import { api, listing, resetFake, sampleSettings, sampleStatus } from "../test/fakeApi";
import Settings from "./Settings.svelte";

vi.mock("../lib/api", async (orig) => (await import("../test/fakeApi")).mockModule(await orig()));

const input = (label: string | RegExp) => screen.getByLabelText(label, { selector: "input, select, textarea" }) as HTMLInputElement;
const type = (label: string | RegExp, value: string) => fireEvent.input(input(label), { target: { value } });
const saved = (): AppSettings => api.saveSettings.mock.calls.at(-1)![0];

async function renderLoaded(props: Record<string, unknown> = {}) {
  render(Settings, props);
  await screen.findByRole("button", { name: "Save settings" });
}

beforeEach(() => {
  resetFake();
});

describe("Settings", () => {
  it("masks saved secrets and leaves the boxes empty", async () => {
    await renderLoaded();
    const secret = input("Client secret");
    expect(secret.type).toBe("password");
    expect(secret.value).toBe("");
    expect(secret.placeholder).toBe("•••••• saved");
    expect(input("API key").placeholder).toBe("•••••• saved");
    expect(input("Instance name").value).toBe("demo-clinic");
    expect(input("Client id").value).toBe("client-abc");
    expect(screen.getByTestId("secrets-backend").textContent).toMatch(/system keychain/);
  });

  it("sends null for secrets that were not changed, and the new value for one that was", async () => {
    await renderLoaded();
    await type("Client id", "client-xyz");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await screen.findByText("Settings saved.");
    let s = saved();
    expect(s.connection).toMatchObject({ kind: "canvas", client_id: "client-xyz", client_secret: null, instance: "demo-clinic" });
    expect(s.receive.socket_api_key).toBeNull();
    expect(s.receive.webhook_secret).toBeNull();
    expect(s.receive.webhook_token).toBeNull();

    await type("Client secret", "new-secret");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalledTimes(2));
    s = saved();
    expect(s.connection).toMatchObject({ client_secret: "new-secret" });
    // After saving, the box is empty again: the secret is never shown back.
    await waitFor(() => expect(input("Client secret").value).toBe(""));
  });

  it("shows Canvas's message when the connection test fails", async () => {
    api.testConnection.mockResolvedValue({ ok: false, message: "Canvas answered 401: invalid_client (client id or secret is wrong)" });
    await renderLoaded();
    await fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    expect(api.testConnection).toHaveBeenCalledWith(expect.objectContaining({ connection: expect.objectContaining({ client_secret: null }) }));
    const failed = await screen.findByText("Connection failed.");
    expect(failed.parentElement?.textContent).toContain("Canvas answered 401: invalid_client (client id or secret is wrong)");
  });

  it("shows success from the connection test too", async () => {
    api.testConnection.mockResolvedValue({ ok: true, message: "Token accepted; 3 tasks visible." });
    await renderLoaded();
    await fireEvent.click(screen.getByRole("button", { name: "Test connection" }));
    expect((await screen.findByText("Connected.")).parentElement?.textContent).toContain("Token accepted; 3 tasks visible.");
  });

  it("shows the fields for the chosen way of getting updates", async () => {
    await renderLoaded({ status: sampleStatus({ local_webhook_url: "http://127.0.0.1:8787/hooks/canvas" }) });
    expect(input("WebSocket URL").placeholder).toBe("wss://demo-clinic.canvasmedical.com/plugin-io/ws/taskbell_relay/taskbell/");
    expect(input("Channel").value).toBe("taskbell");
    expect(screen.queryByLabelText("Local port")).toBeNull();

    await fireEvent.click(screen.getByLabelText(/^Webhook/));
    expect(screen.queryByLabelText("WebSocket URL")).toBeNull();
    expect(input("Local port").value).toBe("8787");
    expect(screen.getByTestId("local-webhook-url").textContent).toBe("http://127.0.0.1:8787/hooks/canvas");
    expect(input("Webhook signing secret").placeholder).toBe("•••••• saved");
    expect(input("Bearer token").placeholder).toBe("");
    expect(screen.getByRole("button", { name: "Start tunnel" })).toBeTruthy();

    await fireEvent.click(screen.getByLabelText(/^Polling/));
    expect(screen.queryByLabelText("Local port")).toBeNull();
    expect(input(/Check every/).value).toBe("30");
  });

  it("starts a tunnel and shows its address or why it failed", async () => {
    api.startTunnel.mockRejectedValueOnce("cloudflared is not installed; install it or enter a public URL yourself.");
    api.startTunnel.mockResolvedValueOnce("https://quiet-bird.trycloudflare.com");
    await renderLoaded();
    await fireEvent.click(screen.getByLabelText(/^Webhook/));
    await fireEvent.click(screen.getByRole("button", { name: "Start tunnel" }));
    expect(await screen.findByText(/cloudflared is not installed/)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Start tunnel" }));
    expect(await screen.findByText("https://quiet-bird.trycloudflare.com")).toBeTruthy();
  });

  it("checks fields inline and does not save until they are right", async () => {
    await renderLoaded();
    await fireEvent.click(screen.getByLabelText(/^Polling/));
    await type(/Check every/, "5");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(api.saveSettings).not.toHaveBeenCalled();
    const interval = input(/Check every/);
    expect(interval.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText(/10 or more/)).toBeTruthy();
    await type(/Check every/, "15");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalledTimes(1));
    expect(saved().receive).toMatchObject({ mode: "poll", poll_interval_secs: 15 });
  });

  it("checks the port range and the webhook secret's shape", async () => {
    await renderLoaded();
    await fireEvent.click(screen.getByLabelText(/^Webhook/));
    await type("Local port", "80");
    await type("Webhook signing secret", "abc123");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(screen.getByText(/between 1024 and 65535/)).toBeTruthy();
    expect(screen.getByText(/start with “whsec_”/)).toBeTruthy();
    expect(api.saveSettings).not.toHaveBeenCalled();
  });

  it("switches to full URLs and sends them with no instance name", async () => {
    await renderLoaded();
    await fireEvent.click(screen.getByLabelText("Full URLs"));
    await type("FHIR base URL", "https://fhir.clinic.example");
    await type("Token URL", "not a url");
    await type("WebSocket URL", "wss://ehr.clinic.example/plugin-io/ws/taskbell_relay/taskbell/");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(screen.getByText(/full token URL/)).toBeTruthy();
    await type("Token URL", "https://ehr.clinic.example/auth/token/");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    expect(saved().connection).toMatchObject({
      instance: "",
      fhir_base: "https://fhir.clinic.example",
      token_url: "https://ehr.clinic.example/auth/token/",
    });
  });

  it("hides the Canvas fields for the sandbox and sends just the kind", async () => {
    await renderLoaded();
    await fireEvent.click(screen.getByLabelText(/^Sandbox/));
    expect(screen.queryByLabelText("Client id")).toBeNull();
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    expect(saved().connection).toEqual({ kind: "sandbox" });
  });

  it("saves notification choices, with patient names off unless chosen", async () => {
    await renderLoaded();
    const names = input("Show patient names in notifications");
    expect(names.checked).toBe(false);
    await fireEvent.click(screen.getByLabelText("commented"));
    await fireEvent.click(screen.getByLabelText("closed"));
    await fireEvent.click(screen.getByLabelText("Everyone’s tasks"));
    await fireEvent.click(screen.getByLabelText("Start Taskbell when I sign in"));
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    expect(saved().notify).toEqual({ ...sampleSettings().notify, scope: "everyone", kinds: ["completed", "commented"], show_patient: false, sound: true });
    expect(saved().autostart).toBe(true);
  });

  it("saves what notifies you: lead time, toggles, teams and quiet hours across midnight", async () => {
    api.teams.mockResolvedValue(listing([{ id: "g1", name: "Billing" }, { id: "g2", name: "Front desk" }]));
    api.settings.mockResolvedValue({ ...sampleSettings(), notify: { ...sampleSettings().notify, teams: ["g1"] } });
    await renderLoaded();
    const billing = await screen.findByLabelText("Billing");
    expect((billing as HTMLInputElement).checked).toBe(true);
    expect(input("Front desk").checked).toBe(false);
    expect(input("Minutes before it is due").value).toBe("60");
    expect(screen.queryByLabelText("From")).toBeNull();

    await type("Minutes before it is due", "15");
    await fireEvent.click(input("Front desk"));
    await fireEvent.click(input("Assigned to your team"));
    await fireEvent.click(input(/Remind me once when a task becomes overdue/));
    await fireEvent.click(input("Hold notifications during quiet hours"));
    expect(input("From").value).toBe("18:00");
    await type("From", "22:00");
    await type("Until", "07:00");
    expect(screen.getByTestId("s-quiet-summary").textContent).toBe("Quiet every day from 22:00 until 07:00 the next day.");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    expect(saved().notify).toEqual({
      ...sampleSettings().notify,
      due_soon_minutes: 15,
      overdue: false,
      teams: ["g1", "g2"],
      assigned_to_team: false,
      quiet_hours: { start: "22:00", end: "07:00" },
    });
  });

  it("sends no due-soon reminder when it is off, and keeps a saved team Canvas no longer lists", async () => {
    api.settings.mockResolvedValue({ ...sampleSettings(), notify: { ...sampleSettings().notify, teams: ["g-gone"] } });
    await renderLoaded();
    await fireEvent.click(input("Remind me before a task is due"));
    expect(input("Minutes before it is due").disabled).toBe(true);
    expect(screen.getByTestId("s-teams").textContent).toContain("g-gone");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    expect(saved().notify).toMatchObject({ due_soon_minutes: null, teams: ["g-gone"], quiet_hours: null });
  });

  it("does not save quiet hours that are not HH:MM or that end where they start", async () => {
    await renderLoaded();
    await fireEvent.click(input("Hold notifications during quiet hours"));
    await type("From", "");
    await type("Until", "08:00");
    await type("Minutes before it is due", "0");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(api.saveSettings).not.toHaveBeenCalled();
    expect(input("From").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText(/Enter a time as HH:MM, e.g. 18:00/)).toBeTruthy();
    expect(screen.getByText(/from 1 to 1440/)).toBeTruthy();
    await type("From", "08:00");
    await type("Minutes before it is due", "30");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect(await screen.findByText(/end different from their start/)).toBeTruthy();
    expect(api.saveSettings).not.toHaveBeenCalled();
    await type("Until", "09:00");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    await waitFor(() => expect(api.saveSettings).toHaveBeenCalled());
    expect(saved().notify).toMatchObject({ due_soon_minutes: 30, quiet_hours: { start: "08:00", end: "09:00" } });
  });

  it("shows why saving failed and keeps the edits", async () => {
    api.saveSettings.mockRejectedValue("The keychain is locked. Unlock it and save again.");
    await renderLoaded();
    await type("Client id", "client-xyz");
    await fireEvent.click(screen.getByRole("button", { name: "Save settings" }));
    expect((await screen.findByRole("alert")).textContent).toContain("The keychain is locked.");
    expect(input("Client id").value).toBe("client-xyz");
  });

  it("says when secrets live in a private file", async () => {
    api.settings.mockResolvedValue({ ...sampleSettings(), secrets_backend: "file" });
    await renderLoaded();
    expect(screen.getByTestId("secrets-backend").textContent).toMatch(/file only your user account can read/);
  });
});

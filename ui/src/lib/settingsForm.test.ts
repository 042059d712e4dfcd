import { describe, expect, it } from "vitest";
import type { AppSettings } from "./api";
import { checkConnection, checkReceive, checkReminders, describeQuietHours, emptySecrets, fromSettings, instanceUrls, toSettings } from "./settingsForm";

const saved: AppSettings = {
  connection: {
    kind: "canvas",
    instance: "demo-clinic",
    fhir_base: "",
    token_url: "",
    client_id: "abc",
    client_secret: null,
    client_secret_set: true,
    requester: "staff-1",
  },
  receive: {
    mode: "live",
    socket_url: "",
    socket_channel: "taskbell",
    socket_api_key: null,
    socket_api_key_set: true,
    webhook_port: 8787,
    webhook_secret: null,
    webhook_secret_set: false,
    webhook_token: null,
    webhook_token_set: false,
    public_url: "",
    poll_interval_secs: 30,
  },
  notify: {
    scope: "mine",
    kinds: ["completed", "closed"],
    show_patient: false,
    sound: true,
    due_soon_minutes: 30,
    overdue: true,
    teams: ["g-billing", "g-front"],
    assigned_to_me: true,
    assigned_to_team: false,
    comments: true,
    quiet_hours: { start: "18:00", end: "08:00" },
  },
  autostart: false,
  secrets_backend: "keychain",
};

describe("settings form", () => {
  it("round-trips with every secret left alone as null", () => {
    const out = toSettings(fromSettings(saved), emptySecrets());
    expect(out.connection).toEqual({
      ...saved.connection,
      fhir_base: "https://fumage-demo-clinic.canvasmedical.com",
      token_url: "https://demo-clinic.canvasmedical.com/auth/token/",
    });
    expect(out.receive).toEqual(saved.receive);
    expect(out.notify).toEqual(saved.notify);
  });

  it("sends only the secrets that were typed", () => {
    const out = toSettings(fromSettings(saved), { ...emptySecrets(), webhook_token: "tok" });
    expect(out.receive.webhook_token).toBe("tok");
    expect(out.receive.webhook_secret).toBeNull();
    expect(out.receive.socket_api_key).toBeNull();
  });

  it("opens in full-URL mode when the saved connection has no instance", () => {
    const f = fromSettings({ ...saved, connection: { ...saved.connection, instance: "", fhir_base: "https://fhir.example.org" } as AppSettings["connection"] });
    expect(f.urlMode).toBe("urls");
    expect(toSettings(f, emptySecrets()).connection).toMatchObject({ instance: "", fhir_base: "https://fhir.example.org" });
  });

  it("keeps reminder lead time, teams and quiet hours as saved", () => {
    const f = fromSettings(saved);
    expect(f.reminders).toEqual({ dueSoon: true, dueSoonMinutes: 30, quiet: true, quietStart: "18:00", quietEnd: "08:00" });
    f.notify.teams.push("g-lab");
    // The form's copy is its own: editing it leaves what was loaded alone.
    expect(saved.notify.teams).toEqual(["g-billing", "g-front"]);
    expect(toSettings(f, emptySecrets()).notify).toEqual({ ...saved.notify, teams: ["g-billing", "g-front", "g-lab"] });
  });

  it("sends null for a due-soon reminder or quiet hours that are off, and remembers defaults for turning them on", () => {
    const off = fromSettings({ ...saved, notify: { ...saved.notify, due_soon_minutes: null, quiet_hours: null } });
    expect(off.reminders).toEqual({ dueSoon: false, dueSoonMinutes: 60, quiet: false, quietStart: "18:00", quietEnd: "08:00" });
    expect(toSettings(off, emptySecrets()).notify).toMatchObject({ due_soon_minutes: null, quiet_hours: null });
    off.reminders.dueSoon = true;
    off.reminders.quiet = true;
    off.reminders.quietStart = "12:30";
    off.reminders.quietEnd = "13:30";
    expect(toSettings(off, emptySecrets()).notify).toMatchObject({ due_soon_minutes: 60, quiet_hours: { start: "12:30", end: "13:30" } });
  });

  it("derives Canvas's hosts from the instance name", () => {
    expect(instanceUrls("Demo", "ops").socket_url).toBe("wss://demo.canvasmedical.com/plugin-io/ws/taskbell_relay/ops/");
  });
});

describe("settings validation", () => {
  it("checks the instance name, URLs and required ids", () => {
    const f = fromSettings(saved);
    expect(checkConnection(f, emptySecrets())).toEqual({});
    f.canvas.instance = "demo clinic";
    f.canvas.requester = "";
    const e = checkConnection(f, emptySecrets());
    expect(e.instance).toBeTruthy();
    expect(e.requester).toBeTruthy();
    f.urlMode = "urls";
    f.canvas.fhir_base = "fumage-demo";
    f.canvas.token_url = "https://demo.canvasmedical.com/auth/token/";
    expect(checkConnection(f, emptySecrets()).fhir_base).toBeTruthy();
    expect(checkConnection(f, emptySecrets()).token_url).toBeUndefined();
  });

  it("needs a client secret only when none is saved", () => {
    const f = fromSettings(saved);
    f.canvas.client_secret_set = false;
    expect(checkConnection(f, emptySecrets()).client_secret).toBeTruthy();
    expect(checkConnection(f, { ...emptySecrets(), client_secret: "s" }).client_secret).toBeUndefined();
  });

  it("checks port range, webhook secret shape and the polling interval", () => {
    const f = fromSettings(saved);
    f.receive.mode = "webhook";
    f.receive.webhook_port = 80;
    expect(checkReceive(f, { ...emptySecrets(), webhook_secret: "abc" })).toMatchObject({
      webhook_port: expect.any(String),
      webhook_secret: expect.stringContaining("whsec_"),
    });
    f.receive.webhook_port = 8787;
    expect(checkReceive(f, { ...emptySecrets(), webhook_secret: "whsec_abc" })).toEqual({});
    f.receive.mode = "poll";
    f.receive.poll_interval_secs = 5;
    expect(checkReceive(f, emptySecrets()).poll_interval_secs).toBeTruthy();
    f.receive.poll_interval_secs = 10;
    expect(checkReceive(f, emptySecrets())).toEqual({});
  });

  it("checks the live socket's channel and URL", () => {
    const f = fromSettings(saved);
    f.receive.socket_channel = "task bell";
    f.receive.socket_url = "https://example.org";
    const e = checkReceive(f, emptySecrets());
    expect(e.socket_channel).toBeTruthy();
    expect(e.socket_url).toBeTruthy();
  });
});

describe("reminder validation", () => {
  it("accepts quiet hours that cross midnight and checks HH:MM", () => {
    const f = fromSettings(saved);
    expect(checkReminders(f)).toEqual({});
    f.reminders.quietStart = "8:00";
    f.reminders.quietEnd = "24:00";
    expect(checkReminders(f)).toEqual({ quiet_start: expect.stringContaining("HH:MM"), quiet_end: expect.stringContaining("HH:MM") });
    f.reminders.quietStart = "22:00";
    f.reminders.quietEnd = "22:00";
    expect(checkReminders(f).quiet_end).toMatch(/different from their start/);
    f.reminders.quiet = false;
    expect(checkReminders(f)).toEqual({});
  });

  it("needs a whole number of minutes within a day only when the reminder is on", () => {
    const f = fromSettings(saved);
    for (const bad of [0, 2.5, 1441, NaN]) {
      f.reminders.dueSoonMinutes = bad;
      expect(checkReminders(f).due_soon_minutes).toBeTruthy();
    }
    f.reminders.dueSoon = false;
    expect(checkReminders(f)).toEqual({});
  });

  it("says when quiet hours run into the next day", () => {
    expect(describeQuietHours("18:00", "08:00")).toBe("Quiet every day from 18:00 until 08:00 the next day.");
    expect(describeQuietHours("12:00", "13:00")).toBe("Quiet every day from 12:00 to 13:00.");
    expect(describeQuietHours("12:00", "12:00")).toBe("");
  });
});

import { describe, expect, it } from "vitest";
import type { Settings } from "./api";
import { checkConnection, checkReceive, emptySecrets, fromSettings, instanceUrls, toSettings } from "./settingsForm";

const saved: Settings = {
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
  notify: { scope: "mine", kinds: ["completed", "closed"], show_patient: false, sound: true },
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
    const f = fromSettings({ ...saved, connection: { ...saved.connection, instance: "", fhir_base: "https://fhir.example.org" } as Settings["connection"] });
    expect(f.urlMode).toBe("urls");
    expect(toSettings(f, emptySecrets()).connection).toMatchObject({ instance: "", fhir_base: "https://fhir.example.org" });
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

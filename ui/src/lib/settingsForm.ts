// The Settings form: the saved Settings split into what the user edits, the secrets they typed
// (never read back from the shell), inline validation, and the Settings to send back.

import type { AppSettings } from "./api";

export type CanvasConnection = Extract<AppSettings["connection"], { kind: "canvas" }>;
export type CanvasFields = Omit<CanvasConnection, "kind" | "client_secret">;
export type Receive = AppSettings["receive"];

/** The plugin name is fixed by the companion plugin's manifest. */
export const PLUGIN_NAME = "taskbell_relay";
export const DEFAULT_CHANNEL = "taskbell";
export const MIN_POLL_SECS = 10;
export const DEFAULT_DUE_SOON_MINUTES = 60;
/** A reminder more than a day ahead is a to-do list, not a reminder. */
export const MAX_DUE_SOON_MINUTES = 24 * 60;
export const DEFAULT_QUIET_HOURS = { start: "18:00", end: "08:00" };

/** Due-soon and quiet hours as edited: each can be off while keeping the values typed. */
export interface ReminderForm {
  dueSoon: boolean;
  dueSoonMinutes: number;
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
}

export interface SettingsForm {
  kind: "sandbox" | "canvas";
  /** Whether the Canvas connection is given by instance name or by full URLs. */
  urlMode: "instance" | "urls";
  canvas: CanvasFields;
  receive: Omit<Receive, "socket_api_key" | "webhook_secret" | "webhook_token">;
  notify: Omit<AppSettings["notify"], "due_soon_minutes" | "quiet_hours">;
  reminders: ReminderForm;
  autostart: boolean;
  secrets_backend: AppSettings["secrets_backend"];
}

/** What the user typed into secret fields; "" means leave the saved one alone. */
export interface SecretDrafts {
  client_secret: string;
  socket_api_key: string;
  webhook_secret: string;
  webhook_token: string;
}

export function emptySecrets(): SecretDrafts {
  return { client_secret: "", socket_api_key: "", webhook_secret: "", webhook_token: "" };
}

export function blankCanvas(): CanvasFields {
  return { instance: "", fhir_base: "", token_url: "", client_id: "", client_secret_set: false, requester: "" };
}

export function fromSettings(s: AppSettings): SettingsForm {
  const c = s.connection;
  const canvas: CanvasFields =
    c.kind === "canvas"
      ? {
          instance: c.instance,
          fhir_base: c.fhir_base,
          token_url: c.token_url,
          client_id: c.client_id,
          client_secret_set: c.client_secret_set,
          requester: c.requester,
        }
      : blankCanvas();
  const { socket_api_key: _k, webhook_secret: _s, webhook_token: _t, ...receive } = s.receive;
  const { due_soon_minutes, quiet_hours, ...notify } = s.notify;
  return {
    kind: c.kind,
    urlMode: c.kind === "canvas" && c.instance.trim() === "" && c.fhir_base.trim() !== "" ? "urls" : "instance",
    canvas,
    receive: { ...receive },
    notify: { ...notify, kinds: [...notify.kinds], teams: [...notify.teams] },
    reminders: {
      dueSoon: due_soon_minutes != null,
      dueSoonMinutes: due_soon_minutes ?? DEFAULT_DUE_SOON_MINUTES,
      quiet: quiet_hours != null,
      quietStart: quiet_hours?.start ?? DEFAULT_QUIET_HOURS.start,
      quietEnd: quiet_hours?.end ?? DEFAULT_QUIET_HOURS.end,
    },
    autostart: s.autostart,
    secrets_backend: s.secrets_backend,
  };
}

/** The addresses Canvas serves an instance at (see shared/CANVAS.md, "Hosts"). */
export function instanceUrls(instance: string, channel = DEFAULT_CHANNEL) {
  const name = instance.trim().toLowerCase();
  return {
    fhir_base: `https://fumage-${name}.canvasmedical.com`,
    token_url: `https://${name}.canvasmedical.com/auth/token/`,
    socket_url: `wss://${name}.canvasmedical.com/plugin-io/ws/${PLUGIN_NAME}/${channel.trim() || DEFAULT_CHANNEL}/`,
  };
}

const orNull = (s: string) => (s === "" ? null : s);

export function toSettings(f: SettingsForm, secrets: SecretDrafts): AppSettings {
  const byInstance = f.urlMode === "instance";
  const urls = byInstance ? instanceUrls(f.canvas.instance) : null;
  const connection: AppSettings["connection"] =
    f.kind === "sandbox"
      ? { kind: "sandbox" }
      : {
          kind: "canvas",
          instance: byInstance ? f.canvas.instance.trim().toLowerCase() : "",
          fhir_base: urls ? urls.fhir_base : f.canvas.fhir_base.trim(),
          token_url: urls ? urls.token_url : f.canvas.token_url.trim(),
          client_id: f.canvas.client_id.trim(),
          client_secret: orNull(secrets.client_secret),
          client_secret_set: f.canvas.client_secret_set,
          requester: f.canvas.requester.trim(),
        };
  return {
    connection,
    receive: {
      ...f.receive,
      socket_url: f.receive.socket_url.trim(),
      socket_channel: f.receive.socket_channel.trim(),
      public_url: f.receive.public_url.trim(),
      socket_api_key: orNull(secrets.socket_api_key),
      webhook_secret: orNull(secrets.webhook_secret),
      webhook_token: orNull(secrets.webhook_token),
    },
    notify: {
      ...f.notify,
      kinds: [...f.notify.kinds],
      teams: [...f.notify.teams],
      due_soon_minutes: f.reminders.dueSoon ? f.reminders.dueSoonMinutes : null,
      quiet_hours: f.reminders.quiet ? { start: f.reminders.quietStart.trim(), end: f.reminders.quietEnd.trim() } : null,
    },
    autostart: f.autostart,
    secrets_backend: f.secrets_backend,
  };
}

function hasProtocol(value: string, protocols: string[]): boolean {
  try {
    const u = new URL(value.trim());
    return protocols.includes(u.protocol) && u.hostname !== "";
  } catch {
    return false;
  }
}

export const isHttpUrl = (v: string) => hasProtocol(v, ["http:", "https:"]);
export const isWsUrl = (v: string) => hasProtocol(v, ["ws:", "wss:"]);

export type SettingsErrors = Partial<Record<string, string>>;

/** Problems with the connection fields, keyed by field name. */
export function checkConnection(f: SettingsForm, secrets: SecretDrafts): SettingsErrors {
  const e: SettingsErrors = {};
  if (f.kind === "sandbox") return e;
  const c = f.canvas;
  if (f.urlMode === "instance") {
    if (c.instance.trim() === "") e.instance = "Enter the instance name, the part before .canvasmedical.com.";
    else if (!/^[a-z0-9][a-z0-9-]*$/i.test(c.instance.trim()))
      e.instance = "Only letters, digits and hyphens, e.g. “demo-clinic”.";
  } else {
    if (!isHttpUrl(c.fhir_base)) e.fhir_base = "Enter the full FHIR base URL, starting with https://.";
    if (!isHttpUrl(c.token_url)) e.token_url = "Enter the full token URL, starting with https://.";
  }
  if (c.client_id.trim() === "") e.client_id = "Enter the client id from Canvas’s API credentials.";
  if (!c.client_secret_set && secrets.client_secret === "") e.client_secret = "Enter the client secret.";
  if (c.requester.trim() === "") e.requester = "Enter your practitioner id; tasks are requested in your name.";
  return e;
}

export function checkReceive(f: SettingsForm, secrets: SecretDrafts): SettingsErrors {
  const e: SettingsErrors = {};
  const r = f.receive;
  if (r.mode === "live") {
    if (!/^[\w-]+$/.test(r.socket_channel.trim())) e.socket_channel = "Use letters, digits, “_” or “-”, e.g. “taskbell”.";
    const needsUrl = f.kind === "canvas" && f.urlMode === "urls";
    if (r.socket_url.trim() !== "" ? !isWsUrl(r.socket_url) : needsUrl)
      e.socket_url = "Enter the plugin’s WebSocket URL, starting with wss://.";
    if (f.kind === "canvas" && !r.socket_api_key_set && secrets.socket_api_key === "")
      e.socket_api_key = "Enter the plugin’s SOCKET_API_KEY.";
  } else if (r.mode === "webhook") {
    if (!Number.isInteger(r.webhook_port) || r.webhook_port < 1024 || r.webhook_port > 65535)
      e.webhook_port = "Use a port between 1024 and 65535.";
    if (secrets.webhook_secret !== "" && !secrets.webhook_secret.trim().startsWith("whsec_"))
      e.webhook_secret = "Webhook secrets start with “whsec_”. Paste the whole value.";
    if (r.public_url.trim() !== "" && !isHttpUrl(r.public_url)) e.public_url = "Enter a full URL, starting with https://.";
  } else if (!Number.isInteger(r.poll_interval_secs) || r.poll_interval_secs < MIN_POLL_SECS) {
    e.poll_interval_secs = `Use a whole number of seconds, ${MIN_POLL_SECS} or more.`;
  }
  return e;
}

/** "HH:MM" on a 24-hour clock, as the shell reads quiet hours. */
export function isClockTime(value: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value.trim());
}

export function checkReminders(f: SettingsForm): SettingsErrors {
  const e: SettingsErrors = {};
  const r = f.reminders;
  if (r.dueSoon && (!Number.isInteger(r.dueSoonMinutes) || r.dueSoonMinutes < 1 || r.dueSoonMinutes > MAX_DUE_SOON_MINUTES))
    e.due_soon_minutes = `Use a whole number of minutes from 1 to ${MAX_DUE_SOON_MINUTES}.`;
  if (r.quiet) {
    if (!isClockTime(r.quietStart)) e.quiet_start = "Enter a time as HH:MM, e.g. 18:00.";
    if (!isClockTime(r.quietEnd)) e.quiet_end = "Enter a time as HH:MM, e.g. 08:00.";
    else if (!e.quiet_start && r.quietStart.trim() === r.quietEnd.trim())
      e.quiet_end = "Quiet hours need an end different from their start.";
  }
  return e;
}

/** Quiet hours in words, saying so when they run past midnight. */
export function describeQuietHours(start: string, end: string): string {
  if (!isClockTime(start) || !isClockTime(end) || start.trim() === end.trim()) return "";
  const [a, b] = [start.trim(), end.trim()];
  return a < b ? `Quiet every day from ${a} to ${b}.` : `Quiet every day from ${a} until ${b} the next day.`;
}

export function checkSettings(f: SettingsForm, secrets: SecretDrafts): SettingsErrors {
  return { ...checkConnection(f, secrets), ...checkReceive(f, secrets), ...checkReminders(f) };
}

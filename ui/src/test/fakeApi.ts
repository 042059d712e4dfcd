// A stand-in for src/lib/api.ts in component tests: every command is a vi.fn with a sensible
// default, and the events can be fired by the test. Use it from a test file with
//   vi.mock("../lib/api", async (orig) => (await import("../test/fakeApi")).mockModule(await orig()));

import { vi } from "vitest";
import type * as Real from "../lib/api";
import type { About, AppSettings, AppStatus, EventKind, ForMeView, Notice, TaskChanged, TaskDetail, TaskRef, TaskRow, TaskStatus, View } from "../lib/api";

type Api = typeof Real.api;
type Fn<K extends keyof Api> = ReturnType<typeof vi.fn<Api[K]>>;

const listeners = {
  taskChanged: new Set<(e: TaskChanged) => void>(),
  status: new Set<(s: AppStatus) => void>(),
  navigate: new Set<(v: View) => void>(),
  openTask: new Set<(t: TaskRef) => void>(),
};

function subscribe<T>(set: Set<(v: T) => void>, f: (v: T) => void) {
  set.add(f);
  return Promise.resolve(() => {
    set.delete(f);
  });
}

/** A picker's answer, whole unless `truncated`. */
export function listing<T>(items: T[], truncated = false): Real.Listing<T> {
  return { items, truncated };
}

export const api = {
  status: vi.fn(),
  createTask: vi.fn(),
  pendingTasks: vi.fn(),
  searchPatients: vi.fn(),
  searchPractitioners: vi.fn(),
  teams: vi.fn(),
  history: vi.fn(),
  task: vi.fn(),
  timeline: vi.fn(),
  stats: vi.fn(),
  exportCsv: vi.fn(),
  openUrl: vi.fn(),
  settings: vi.fn(),
  saveSettings: vi.fn(),
  testConnection: vi.fn(),
  startTunnel: vi.fn(),
  hideWindow: vi.fn(),
  about: vi.fn(),
  diagnostics: vi.fn(),
  openLogFolder: vi.fn(),
  forMe: vi.fn(),
  taskDetail: vi.fn(),
  act: vi.fn(),
  unread: vi.fn(),
  markAllRead: vi.fn(),
  markRead: vi.fn(),
} as { [K in keyof Api]: Fn<K> };

export const events = {
  onTaskChanged: vi.fn((f: (e: TaskChanged) => void) => subscribe(listeners.taskChanged, f)),
  onStatus: vi.fn((f: (s: AppStatus) => void) => subscribe(listeners.status, f)),
  onNavigate: vi.fn((f: (v: View) => void) => subscribe(listeners.navigate, f)),
  onOpenTask: vi.fn((f: (t: TaskRef) => void) => subscribe(listeners.openTask, f)),
};

export const emit = {
  taskChanged: (e: TaskChanged) => listeners.taskChanged.forEach((f) => f(e)),
  status: (s: AppStatus) => listeners.status.forEach((f) => f(s)),
  navigate: (v: View) => listeners.navigate.forEach((f) => f(v)),
  openTask: (t: TaskRef) => listeners.openTask.forEach((f) => f(t)),
};

export function mockModule(real: typeof Real) {
  return { ...real, api, events };
}

export function sampleStatus(over: Partial<AppStatus> = {}): AppStatus {
  return {
    line: "Sandbox · live",
    mode: "sandbox",
    receive: "live",
    receiver_state: "live",
    tray_available: true,
    notifications_available: true,
    paused_until: null,
    unread: 0,
    for_me: 0,
    local_webhook_url: null,
    public_webhook_url: null,
    ...over,
  };
}

export function sampleSettings(): AppSettings {
  return {
    connection: {
      kind: "canvas",
      instance: "demo-clinic",
      fhir_base: "https://fumage-demo-clinic.canvasmedical.com",
      token_url: "https://demo-clinic.canvasmedical.com/auth/token/",
      client_id: "client-abc",
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
      webhook_secret_set: true,
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
      due_soon_minutes: 60,
      overdue: true,
      teams: [],
      assigned_to_me: true,
      assigned_to_team: true,
      comments: true,
      quiet_hours: null,
    },
    autostart: false,
    secrets_backend: "keychain",
  };
}

export function taskRow(n: number, over: Partial<TaskRow> = {}): TaskRow {
  return {
    rowid: n,
    system: "https://fumage-demo-clinic.canvasmedical.com",
    task_id: `task-${n}`,
    status: "open",
    description: `Task number ${n}`,
    patient_id: `p${n}`,
    patient_name: `Patient ${n}`,
    assignee_id: "s1",
    assignee_name: "Dr. Ng",
    team_id: null,
    team_name: null,
    requester_id: "staff-1",
    labels: [],
    due_at: null,
    created_at: 1_700_000_000_000 - n * 60_000,
    done_at: null,
    modified_at: null,
    observed_at: 1_700_000_000_000 - n * 60_000,
    permalink: null,
    external_id: null,
    mine: true,
    ...over,
  };
}

/** Puts every command back to a harmless default and forgets listeners. */
export function resetFake() {
  listeners.taskChanged.clear();
  listeners.status.clear();
  listeners.navigate.clear();
  listeners.openTask.clear();
  for (const f of Object.values(api)) f.mockReset();
  for (const f of Object.values(events)) f.mockClear();
  api.status.mockResolvedValue(sampleStatus());
  api.pendingTasks.mockResolvedValue([]);
  api.searchPatients.mockResolvedValue(listing([]));
  api.searchPractitioners.mockResolvedValue(listing([]));
  api.teams.mockResolvedValue(listing([]));
  api.history.mockResolvedValue({ rows: [], next: null });
  api.task.mockImplementation(async (system, id) => taskRow(Number(id.replace(/\D/g, "")) || 1, { system, task_id: id }));
  api.timeline.mockResolvedValue([]);
  api.stats.mockResolvedValue({ per_day: [], median_ms_to_complete: null });
  api.settings.mockResolvedValue(sampleSettings());
  api.saveSettings.mockImplementation(async (s) => s);
  api.hideWindow.mockResolvedValue(undefined);
  api.openUrl.mockResolvedValue(undefined);
  api.about.mockResolvedValue(sampleAbout());
  api.diagnostics.mockResolvedValue("Taskbell: 0.1.0\n");
  api.openLogFolder.mockResolvedValue(undefined);
  api.forMe.mockResolvedValue([]);
  api.taskDetail.mockImplementation(async (system, id) => sampleDetail({ row: taskRow(1, { system, task_id: id }) }));
  api.act.mockResolvedValue({ state: "done", already: false, message: "Done." });
  api.unread.mockResolvedValue([]);
  api.markAllRead.mockResolvedValue(undefined);
  api.markRead.mockResolvedValue(undefined);
}

/** A For me row: task `n`, neither overdue nor due today unless told. */
export function forMeRow(n: number, over: Partial<TaskRow> = {}, marks: Partial<Omit<ForMeView, "task">> = {}): ForMeView {
  return { task: taskRow(n, over), overdue: false, due_today: false, ...marks };
}

/** What task_detail answers when Canvas was read: the row, no notes, this user "staff-1". */
export function sampleDetail(over: Partial<TaskDetail> = {}): TaskDetail {
  return { row: taskRow(1), notes: [], fresh: true, problem: null, me: "staff-1", ...over };
}

export function notice(n: number, over: Partial<Notice> = {}): Notice {
  return {
    id: n,
    task: { system: "https://fumage-demo-clinic.canvasmedical.com", id: `task-${n}` },
    kind: "completed",
    summary: "Task completed",
    body: `Task number ${n}`,
    actions: [],
    permalink: null,
    at: 1_700_000_000_000 - n * 60_000,
    held: false,
    ...over,
  };
}

export function sampleAbout(over: Partial<About> = {}): About {
  return {
    version: "0.1.0",
    os: "Debian GNU/Linux 12 (bookworm), x86_64",
    instance: "demo-clinic",
    mode: "canvas",
    receive: "live",
    connection: "demo-clinic · live",
    secrets: "keychain",
    data_dir: "/home/sam/.local/share/app.taskbell.desktop",
    log_file: "/home/sam/.local/share/app.taskbell.desktop/logs/taskbell.log",
    ...over,
  };
}

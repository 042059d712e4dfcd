// The only door between the window and the shell: typed wrappers around Tauri's `invoke` and
// `listen`. Components import from here, never from @tauri-apps/api directly, so tests can
// replace this one module.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

export type TaskStatus = "open" | "completed" | "closed";
export type EventKind =
  | "created" | "updated" | "completed" | "closed" | "reopened" | "commented"
  | "assigned" | "unassigned" | "started" | "paused";
export type View = "forme" | "new" | "history" | "settings";

export interface AppStatus {
  /** The tray's status line, e.g. "Sandbox · live", "demo-clinic · polling every 30 s". */
  line: string;
  mode: "sandbox" | "canvas";
  receive: "live" | "webhook" | "poll";
  /** Short words about the receiver: "live", "reconnecting in 20 s", "listening on http://127.0.0.1:8787". */
  receiver_state: string;
  tray_available: boolean;
  notifications_available: boolean;
  /** Unix ms; null when not paused; -1 when paused until resumed. */
  paused_until: number | null;
  /** Unread notices; the tray shows this count. */
  unread: number;
  /** Open tasks for this user and their teams (the tray's "For me (N)"). */
  for_me: number;
  /** The local webhook URL, always shown in webhook mode. */
  local_webhook_url: string | null;
  public_webhook_url: string | null;
}

export interface Person { id: string; name: string }
/** A picker's answer: `truncated` when Canvas had more than the pages a picker reads. */
export interface Listing<T> { items: T[]; truncated: boolean }
// `active` is false for an inactive chart (Canvas's patient search returns those too).
export interface PatientSummary { id: string; name: string; birth_date: string | null; active?: boolean }

export interface DraftInput {
  description: string;
  patient: string | null;
  owner: string | null;
  team: string | null;
  /** RFC 3339 with offset, or null. */
  due: string | null;
  labels: string[];
  comment: string | null;
  names: { patient: string | null; owner: string | null; team: string | null };
}

export type CreateOutcome =
  | { state: "created"; local_id: string; task_id: string }
  | { state: "pending"; local_id: string; reason: string };

export interface OutboxEntry {
  local_id: string;
  draft: DraftInput & { requester: string };
  state: "pending" | "sending" | "uncertain" | "created" | "failed";
  attempts: number;
  last_error: string | null;
  created_at: number;
}

export interface Cursor { created_at: number; rowid: number }

export interface HistoryQuery {
  statuses: TaskStatus[];
  from: number | null;
  to: number | null;
  patient_id: string | null;
  assignee_id: string | null;
  text: string | null;
  mine_only: boolean;
  after: Cursor | null;
  limit: number;
}

export interface TaskRow {
  rowid: number;
  system: string;
  task_id: string;
  status: TaskStatus;
  description: string;
  patient_id: string | null;
  patient_name: string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  team_id: string | null;
  team_name: string | null;
  requester_id: string | null;
  labels: string[];
  due_at: number | null;
  created_at: number;
  done_at: number | null;
  modified_at: number | null;
  observed_at: number;
  permalink: string | null;
  external_id: string | null;
  mine: boolean;
}

export interface HistoryPage { rows: TaskRow[]; next: Cursor | null }

export type ForWhom = "me" | "teams" | "both";
/** The shell sorts these soonest due first, with undated tasks last. */
export interface ForMeRow { task: TaskRow; overdue: boolean; due_today: boolean }

export interface Note {
  text: string;
  /** RFC 3339. */
  time: string | null;
  /** A practitioner id. */
  author: string | null;
  author_name: string | null;
}

export interface TaskDetail {
  /** As stored locally. */
  row: TaskRow | null;
  /** Canvas's Task.note, oldest first. */
  notes: Note[];
  /** False when Canvas could not be read; then `notes` may be empty and `problem` says why. */
  fresh: boolean;
  problem: string | null;
  /** This user's practitioner id, so their own notes read "You". */
  me: string | null;
}

export type TaskAction =
  | { kind: "complete" }
  | { kind: "close" }
  | { kind: "reopen" }
  | { kind: "comment"; text: string }
  | { kind: "assign_owner"; practitioner: string }
  | { kind: "assign_team"; group: string }
  | { kind: "due"; /** RFC 3339 with offset. */ due: string };

// "done": `message` is what Canvas now says, e.g. "Completed." or "Already completed.".
// "queued": Canvas could not be reached; the action is sent when it answers.
export type ActOutcome =
  | { state: "done"; already: boolean; message: string }
  | { state: "queued"; local_id: string; reason: string };

export interface Notice {
  id: number;
  task: { system: string; id: string };
  kind: "completed" | "closed" | "assigned" | "team" | "comment" | "due_soon" | "overdue";
  summary: string;
  body: string;
  /** Unix ms. */
  at: number;
  /** Arrived during quiet hours, so it was never shown as a popup. */
  held: boolean;
}

export interface EventRow {
  kind: EventKind;
  source: "api" | "socket" | "webhook" | "poll" | "fragment";
  occurred_at: number;
  received_at: number;
  status_before: TaskStatus | null;
  status_after: TaskStatus | null;
  actor: string | null;
  detail: Record<string, unknown>;
}

export interface Stats {
  per_day: { day: number; completed: number }[];
  median_ms_to_complete: number | null;
}

export interface Settings {
  connection:
    | { kind: "sandbox" }
    | {
        kind: "canvas";
        /** Instance name (the part before .canvasmedical.com), or "" when full URLs are used. */
        instance: string;
        fhir_base: string;
        token_url: string;
        client_id: string;
        /** Write-only: sent when changed, never read back. */
        client_secret: string | null;
        client_secret_set: boolean;
        /** The practitioner id tasks are requested by (this user). */
        requester: string;
      };
  receive: {
    mode: "live" | "webhook" | "poll";
    socket_url: string;
    socket_channel: string;
    socket_api_key: string | null;
    socket_api_key_set: boolean;
    webhook_port: number;
    webhook_secret: string | null;
    webhook_secret_set: boolean;
    webhook_token: string | null;
    webhook_token_set: boolean;
    public_url: string;
    poll_interval_secs: number;
  };
  notify: {
    scope: "mine" | "everyone";
    kinds: EventKind[];
    show_patient: boolean;
    sound: boolean;
    /** Minutes before an open task is due to remind; null for no reminder. */
    due_soon_minutes: number | null;
    /** Remind once when a task becomes overdue. */
    overdue: boolean;
    /** Group ids whose tasks count as this user's. */
    teams: string[];
    assigned_to_me: boolean;
    assigned_to_team: boolean;
    /** A comment by someone else on a task this user requested or owns. */
    comments: boolean;
    /** Local "HH:MM" times, which may wrap midnight; null when off. */
    quiet_hours: { start: string; end: string } | null;
  };
  autostart: boolean;
  /** Where secrets live: the OS keychain, or a file only this user can read. Read-only. */
  secrets_backend: "keychain" | "file";
}

export interface ConnectionCheck { ok: boolean; message: string }

/** What Settings' About section shows (taskbell-core `diagnostics::About`). */
export interface About {
  version: string;
  os: string;
  /** "Sandbox", or the Canvas instance. */
  instance: string;
  mode: "sandbox" | "canvas";
  receive: "live" | "webhook" | "poll";
  /** The status line, as the tray shows it. */
  connection: string;
  secrets: "keychain" | "file";
  data_dir: string;
  /** null when the app writes no log file. */
  log_file: string | null;
}

/** Errors from the shell arrive as one sentence that says what to do. */
export function errorText(e: unknown): string {
  if (typeof e === "string") return e;
  if (e instanceof Error) return e.message;
  return String(e);
}

export const api = {
  status: () => invoke<AppStatus>("get_status"),
  createTask: (draft: DraftInput) => invoke<CreateOutcome>("create_task", { draft }),
  pendingTasks: () => invoke<OutboxEntry[]>("pending_tasks"),
  searchPatients: (query: string) => invoke<Listing<PatientSummary>>("search_patients", { query }),
  searchPractitioners: (query: string) => invoke<Listing<Person>>("search_practitioners", { query }),
  teams: () => invoke<Listing<Person>>("list_teams"),
  history: (query: HistoryQuery) => invoke<HistoryPage>("history", { query }),
  /** One task's row as stored locally; null when Taskbell does not know the task. */
  task: (system: string, taskId: string) => invoke<TaskRow | null>("task_row", { system, taskId }),
  timeline: (system: string, taskId: string) => invoke<EventRow[]>("timeline", { system, taskId }),
  stats: (from: number, to: number, utcOffsetMs: number) => invoke<Stats>("stats", { from, to, utcOffsetMs }),
  /** Writes the filtered history as CSV to the Downloads folder and returns the file's path. */
  exportCsv: (query: HistoryQuery) => invoke<string>("export_csv", { query }),
  openUrl: (url: string) => invoke<void>("open_url", { url }),
  settings: () => invoke<Settings>("get_settings"),
  saveSettings: (settings: Settings) => invoke<Settings>("save_settings", { settings }),
  testConnection: (settings: Settings) => invoke<ConnectionCheck>("test_connection", { settings }),
  startTunnel: () => invoke<string>("start_tunnel"),
  hideWindow: () => invoke<void>("hide_window"),
  about: () => invoke<About>("about"),
  /** Version, system, connection and the log's last lines, without secrets or patient data. */
  diagnostics: () => invoke<string>("diagnostics"),
  openLogFolder: () => invoke<void>("open_log_folder"),
  forMe: (whom: ForWhom, overdueOnly: boolean, utcOffsetMs: number) =>
    invoke<ForMeRow[]>("for_me", { whom, overdueOnly, utcOffsetMs }),
  taskDetail: (system: string, taskId: string) => invoke<TaskDetail>("task_detail", { system, taskId }),
  /**
   * `seen` is the status the user was looking at; an action that no longer fits it is refused
   * with one sentence, e.g. "Someone closed this task meanwhile; it was not completed."
   */
  act: (system: string, taskId: string, action: TaskAction, seen: TaskStatus | null) =>
    invoke<ActOutcome>("act_on_task", { system, taskId, action, seen }),
  /** Newest first. */
  unread: () => invoke<Notice[]>("unread"),
  markAllRead: () => invoke<void>("mark_all_read"),
  markRead: (id: number) => invoke<void>("mark_read", { id }),
};

export const events = {
  /** A task was stored or changed; history views refresh. */
  onTaskChanged: (f: (e: { task: { system: string; id: string }; kind: EventKind; status: TaskStatus }) => void): Promise<UnlistenFn> =>
    listen("task-changed", (e) => f(e.payload as never)),
  onStatus: (f: (s: AppStatus) => void): Promise<UnlistenFn> => listen<AppStatus>("status-changed", (e) => f(e.payload)),
  /** The tray asks the window to show a view. */
  onNavigate: (f: (v: View) => void): Promise<UnlistenFn> => listen<View>("navigate", (e) => f(e.payload)),
  /** The unread count changed (status-changed carries it too). */
  onUnread: (f: (count: number) => void): Promise<UnlistenFn> => listen<number>("unread-changed", (e) => f(e.payload)),
  /** The tray or a notification asks for one task's detail, under For me. */
  onOpenTask: (f: (t: { system: string; id: string }) => void): Promise<UnlistenFn> =>
    listen<{ system: string; id: string }>("open-task", (e) => f(e.payload)),
};

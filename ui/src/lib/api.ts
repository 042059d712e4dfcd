// The only door between the window and the shell: typed wrappers around Tauri's `invoke` and
// `listen`. Components import from here, never from @tauri-apps/api directly, so tests can
// replace this one module. The types the two sides exchange are generated from the Rust types
// into ./bindings (`make bindings`); none is declared here by hand.

import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type {
  About, ActionInput, ActView, AppSettings, AppStatus, ConnectionCheck, CreateOutcome, DraftInput, EventRow,
  ForMeView, ForWhom, HistoryPage, HistoryQuery, Listing, Notice, OutboxEntry, PatientSummary, Person, Stats,
  TaskChanged, TaskDetail, TaskRef, TaskRow, TaskStatus, View,
} from "./bindings";

export type * from "./bindings";

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
  settings: () => invoke<AppSettings>("get_settings"),
  saveSettings: (settings: AppSettings) => invoke<AppSettings>("save_settings", { settings }),
  testConnection: (settings: AppSettings) => invoke<ConnectionCheck>("test_connection", { settings }),
  startTunnel: () => invoke<string>("start_tunnel"),
  hideWindow: () => invoke<void>("hide_window"),
  about: () => invoke<About>("about"),
  /** Version, system, connection and the log's last lines, without secrets or patient data. */
  diagnostics: () => invoke<string>("diagnostics"),
  openLogFolder: () => invoke<void>("open_log_folder"),
  forMe: (whom: ForWhom, overdueOnly: boolean, utcOffsetMs: number) =>
    invoke<ForMeView[]>("for_me", { whom, overdueOnly, utcOffsetMs }),
  taskDetail: (system: string, taskId: string) => invoke<TaskDetail>("task_detail", { system, taskId }),
  /**
   * `seen` is the status the user was looking at; an action that no longer fits it is refused
   * with one sentence, e.g. "Someone closed this task meanwhile; it was not completed."
   */
  act: (system: string, taskId: string, action: ActionInput, seen: TaskStatus | null) =>
    invoke<ActView>("act_on_task", { system, taskId, action, seen }),
  /** Newest first. */
  unread: () => invoke<Notice[]>("unread"),
  markAllRead: () => invoke<void>("mark_all_read"),
  markRead: (id: number) => invoke<void>("mark_read", { id }),
};

export const events = {
  /** A task was stored or changed; history views refresh. */
  onTaskChanged: (f: (e: TaskChanged) => void): Promise<UnlistenFn> => listen<TaskChanged>("task-changed", (e) => f(e.payload)),
  onStatus: (f: (s: AppStatus) => void): Promise<UnlistenFn> => listen<AppStatus>("status-changed", (e) => f(e.payload)),
  /** The tray asks the window to show a view. */
  onNavigate: (f: (v: View) => void): Promise<UnlistenFn> => listen<View>("navigate", (e) => f(e.payload)),
  /** The tray or a notification asks for one task's detail, under For me. */
  onOpenTask: (f: (t: TaskRef) => void): Promise<UnlistenFn> => listen<TaskRef>("open-task", (e) => f(e.payload)),
};

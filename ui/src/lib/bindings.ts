// Generated from the Rust types by the test `bindings_ts_is_up_to_date` in src-tauri/src/bindings.rs:
// do not edit. After changing a type that crosses the bridge, run `make bindings`; `make test`
// fails until then.

/**
 * The three states Canvas knows. FHIR spells them `requested`, `completed`, `cancelled`; the
 * Canvas UI and SDK say open, completed, closed. Taskbell uses the UI words.
 */
export type TaskStatus = "open" | "completed" | "closed";

/**
 * What happened to a task. Fragment's assignment steps are kept as their own kinds so the
 * timeline can show them, even though they do not change Canvas's three statuses.
 */
export type EventKind = "created" | "updated" | "completed" | "closed" | "reopened" | "commented" | "assigned" | "unassigned" | "started" | "paused";

/**
 * A task is identified by the system it lives in and its id there, never by the id alone:
 * two Canvas instances (or Canvas and Fragment) may reuse ids.
 */
export type TaskRef = { system: string, id: string, };

/**
 * The payload of `task-changed`: a task was stored or changed.
 */
export type TaskChanged = { task: TaskRef, kind: EventKind, status: TaskStatus, };

/**
 * The window's views, as `navigate` and the window's URL name them.
 */
export type View = "forme" | "new" | "history" | "settings";

/**
 * The shell's status as the window reads it (`get_status`, and `status-changed`).
 */
export type AppStatus = { 
/**
 * The tray's status line, e.g. "Sandbox · live", "demo-clinic · polling every 30 s".
 */
line: string, mode: ConnectionKind, receive: ReceiveMode, 
/**
 * Short words about the receiver: "live", "reconnecting in 20 s",
 * "listening on http://127.0.0.1:8787".
 */
receiver_state: string, tray_available: boolean, notifications_available: boolean, 
/**
 * Until when notifications are paused (Unix ms), -1 until resumed; null when not paused.
 */
paused_until: number | null, 
/**
 * Unread notices: what the tray counts.
 */
unread: number, 
/**
 * Open tasks of this user and their teams.
 */
for_me: number, 
/**
 * The local webhook URL, always shown in webhook mode.
 */
local_webhook_url: string | null, public_webhook_url: string | null, };

export type ConnectionKind = "sandbox" | "canvas";

export type ReceiveMode = "live" | "webhook" | "poll";

/**
 * What a picker found, and whether it stopped before the end (more pages than it reads).
 */
export type Listing<T> = { items: Array<T>, truncated: boolean, };

/**
 * A practitioner or a team (a FHIR Group of practitioners).
 */
export type Person = { id: string, name: string, };

/**
 * A patient as a picker shows them: enough to tell two Jane Does apart.
 */
export type PatientSummary = { id: string, name: string, birth_date: string | null, 
/**
 * False for an inactive chart: Canvas's search returns those too, and the picker says so.
 */
active: boolean, };

/**
 * The New task form as the window sends it; the requester is this user.
 */
export type DraftInput = { description: string, patient: string | null, owner: string | null, team: string | null, 
/**
 * RFC 3339 with offset.
 */
due: string | null, labels: Array<string>, comment: string | null, names: DraftNames, };

export type DraftNames = { patient: string | null, owner: string | null, team: string | null, };

export type CreateOutcome = { "state": "created", local_id: string, task_id: string, } | { "state": "pending", local_id: string, reason: string, };

export type OutboxEntry = { local_id: string, system: string, state: OutboxState, attempts: number, last_error: string | null, 
/**
 * The task an action is on, or the one a create made.
 */
task_id: string | null, created_at: number, next_attempt_at: number, } & ({ draft: TaskDraft, } | { action: ActionRequest, });

export type OutboxState = "pending" | "sending" | "uncertain" | "created" | "done" | "failed";

/**
 * What an entry asks of Canvas.
 */
export type Work = { draft: TaskDraft, } | { action: ActionRequest, };

/**
 * What a user fills in to hand work to Canvas. `requester` is a Practitioner id.
 */
export type TaskDraft = { description: string, requester: string, patient: string | null, owner: string | null, team: string | null, due: string | null, labels: Array<string>, comment: string | null, 
/**
 * Set by the caller so that a create whose answer was lost can be found again.
 */
authored_on: string | null, 
/**
 * What the pickers showed, kept for the history view; never sent to Canvas.
 */
names: DraftNames, };

/**
 * An action as the user asked it.
 */
export type ActionRequest = { action: TaskAction, 
/**
 * The status the user saw when asking, if they saw one. A status change is made only if
 * Canvas still says this: completing a task someone closed meanwhile is reported, not done.
 */
seen: TaskStatus | null, 
/**
 * Canvas's time just before the request was first sent: a note by the same author with the
 * same text at or after it is this comment, found again after an answer was lost.
 */
not_before: string | null, };

export type TaskAction = { "kind": "complete" } | { "kind": "close" } | { "kind": "reopen" } | { "kind": "comment", text: string, author: string, } | { "kind": "assign_owner", practitioner: string, } | { "kind": "assign_team", group: string, } | { "kind": "due", 
/**
 * RFC 3339 with offset.
 */
due: string, };

export type HistoryQuery = { 
/**
 * Empty means every status.
 */
statuses: Array<TaskStatus>, 
/**
 * Created at or after (Unix ms).
 */
from: number | null, 
/**
 * Created before (Unix ms).
 */
to: number | null, patient_id: string | null, assignee_id: string | null, 
/**
 * Words to find in the description, patient or assignee; each may be a prefix.
 */
text: string | null, 
/**
 * Only tasks created through this Taskbell.
 */
mine_only: boolean, after: Cursor | null, limit: number, };

/**
 * Where a page ended: the sort key of its last row.
 */
export type Cursor = { created_at: number, rowid: number, };

export type HistoryPage = { rows: Array<TaskRow>, next: Cursor | null, };

export type TaskRow = { rowid: number, system: string, task_id: string, status: TaskStatus, description: string, patient_id: string | null, patient_name: string | null, assignee_id: string | null, assignee_name: string | null, team_id: string | null, team_name: string | null, requester_id: string | null, labels: Array<string>, due_at: number | null, 
/**
 * authoredOn when known, else first seen (Unix ms).
 */
created_at: number, done_at: number | null, 
/**
 * Canvas's own last-modified, when a source said.
 */
modified_at: number | null, 
/**
 * When the newest event applied to this row happened.
 */
observed_at: number, permalink: string | null, external_id: string | null, 
/**
 * Created through this Taskbell.
 */
mine: boolean, };

export type EventRow = { kind: string, source: string, occurred_at: number, received_at: number, status_before: string | null, status_after: string | null, actor: string | null, detail: JsonValue, };

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type Stats = { per_day: Array<DayCount>, 
/**
 * Median of done_at - created_at over completions in the range, in ms.
 */
median_ms_to_complete: number | null, };

export type DayCount = { 
/**
 * Days since the Unix epoch, in the caller's time zone.
 */
day: number, completed: number, };

export type ForWhom = "me" | "teams" | "both";

/**
 * One line of For me. The shell sends them soonest due first, undated tasks last.
 */
export type ForMeView = { task: TaskRow, overdue: boolean, due_today: boolean, };

/**
 * A task's detail panel: the stored row, and the notes as Canvas has them now; when Canvas
 * cannot be read, the row alone and why.
 */
export type TaskDetail = { 
/**
 * As stored locally.
 */
row: TaskRow | null, 
/**
 * Oldest first.
 */
notes: Array<NoteView>, 
/**
 * False when Canvas could not be read; then `notes` may be empty and `problem` says why.
 */
fresh: boolean, problem: string | null, 
/**
 * This user's practitioner id, so their own notes read "You".
 */
me: string | null, };

/**
 * A note on a task (Canvas's `Task.note`), with its author's name when known.
 */
export type NoteView = { text: string, 
/**
 * RFC 3339.
 */
time: string | null, 
/**
 * A practitioner id.
 */
author: string | null, author_name: string | null, };

/**
 * An action as the window sends it: the comment's author is this user.
 */
export type ActionInput = { "kind": "complete" } | { "kind": "close" } | { "kind": "reopen" } | { "kind": "comment", text: string, } | { "kind": "assign_owner", practitioner: string, } | { "kind": "assign_team", group: string, } | { "kind": "due", 
/**
 * RFC 3339 with offset.
 */
due: string, };

/**
 * What the window shows after an action.
 */
export type ActView = { "state": "done", already: boolean, message: string, } | { "state": "queued", local_id: string, reason: string, };

/**
 * A notice as the unread list shows it, and as its popup is made from.
 */
export type Notice = { id: number, task: TaskRef, kind: NoticeKind, summary: string, body: string, actions: Array<NoticeAction>, permalink: string | null, 
/**
 * When it was written (Unix ms, the desktop's clock: display only).
 */
at: number, 
/**
 * Quiet hours (or a pause) kept it off the screen.
 */
held: boolean, };

/**
 * What a notification is about.
 */
export type NoticeKind = "completed" | "closed" | "reopened" | "assigned" | "team" | "comment" | "due_soon" | "overdue";

/**
 * A notification's buttons, as the D-Bus action keys name them.
 */
export type NoticeAction = "done" | "snooze" | "open" | "show";

export type AppSettings = { connection: Connection, receive: ReceiveSettings, notify: NotifySettings, autostart: boolean, 
/**
 * Where secrets live: the OS keychain, or a file only this user can read. Read-only:
 * filled in by whoever stores the secrets.
 */
secrets_backend: SecretsBackend, };

export type Connection = { "kind": "sandbox" } | { "kind": "canvas" } & CanvasConnection;

export type CanvasConnection = { 
/**
 * The part before `.canvasmedical.com`, or "" when the URLs are given in full.
 */
instance: string, fhir_base: string, token_url: string, client_id: string, client_secret: WriteOnly, client_secret_set: boolean, 
/**
 * The practitioner tasks are requested by: this user.
 */
requester: string, };

/**
 * A secret the window may send but never receives: it serializes as `null` whatever it holds,
 * an empty string reads as "not given", and `Debug` hides it.
 */
export type WriteOnly = string | null;

export type ReceiveSettings = { mode: ReceiveMode, 
/**
 * "" derives the address from the instance name.
 */
socket_url: string, socket_channel: string, socket_api_key: WriteOnly, socket_api_key_set: boolean, webhook_port: number, webhook_secret: WriteOnly, webhook_secret_set: boolean, webhook_token: WriteOnly, webhook_token_set: boolean, 
/**
 * Where Canvas reaches the webhook endpoint when the user exposes it themselves.
 */
public_url: string, poll_interval_secs: number, };

export type NotifySettings = { scope: NotifyScope, kinds: Array<EventKind>, show_patient: boolean, sound: boolean, 
/**
 * Remind this many minutes before a task of mine is due; `None`: never.
 */
due_soon_minutes: number | null, 
/**
 * Remind once when a task of mine becomes overdue.
 */
overdue: boolean, 
/**
 * Group ids whose tasks count as mine.
 */
teams: Array<string>, assigned_to_me: boolean, assigned_to_team: boolean, 
/**
 * A comment by someone else on a task this user requested or owns.
 */
comments: boolean, 
/**
 * No popups between these local times ("HH:MM"), which may wrap midnight; off when unset.
 */
quiet_hours: QuietHours | null, };

export type NotifyScope = "mine" | "everyone";

/**
 * A daily window, in the desktop's local time, that may cross midnight (18:00 to 08:00).
 */
export type QuietHours = { 
/**
 * "HH:MM".
 */
start: string, end: string, };

export type SecretsBackend = "keychain" | "file";

export type ConnectionCheck = { ok: boolean, message: string, };

/**
 * What the About section shows and diagnostics start with.
 */
export type About = { version: string, os: string, 
/**
 * "Sandbox", or the Canvas instance.
 */
instance: string, mode: ConnectionKind, receive: ReceiveMode, 
/**
 * The status line, as the tray shows it.
 */
connection: string, secrets: SecretsBackend, data_dir: string, 
/**
 * Null when the app writes no log file.
 */
log_file: string | null, };

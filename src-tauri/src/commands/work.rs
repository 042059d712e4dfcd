//! The work that is this user's: For me, a task's detail panel, acting on a task, and the
//! unread notices.

use super::{sentence, CommandResult};
use crate::state::Shell;
use crate::status;
use serde::{Deserialize, Serialize};
use taskbell_core::canvas::{ActionRequest, TaskAction};
use taskbell_core::engine::ActOutcome;
use taskbell_core::store::{ForMeRow, ForWhom, Notice, TaskRow};
use taskbell_core::time_util::parse_rfc3339;
use taskbell_core::{EngineError, TaskRef, TaskStatus};
use tauri::{AppHandle, Manager, Runtime, State};
use ts_rs::TS;

const NOT_CONNECTED: &str = "Taskbell is not connected to Canvas yet; the status line says why.";

/// One line of For me. The shell sends them soonest due first, undated tasks last.
#[derive(Serialize, TS)]
pub struct ForMeView {
    task: TaskRow,
    overdue: bool,
    due_today: bool,
}

impl From<ForMeRow> for ForMeView {
    fn from(r: ForMeRow) -> Self {
        ForMeView {
            task: r.task,
            overdue: r.overdue,
            due_today: r.due_today,
        }
    }
}

#[tauri::command]
pub async fn for_me(
    shell: State<'_, Shell>,
    whom: ForWhom,
    overdue_only: bool,
    utc_offset_ms: i64,
) -> CommandResult<Vec<ForMeView>> {
    let teams = shell.settings().notify.teams;
    let rows = shell
        .engine
        .for_me(teams, whom, overdue_only, utc_offset_ms)
        .await
        .map_err(sentence)?;
    Ok(rows.into_iter().map(ForMeView::from).collect())
}

/// A note on a task (Canvas's `Task.note`), with its author's name when known.
#[derive(Serialize, TS)]
pub struct NoteView {
    text: String,
    /// RFC 3339.
    time: Option<String>,
    /// A practitioner id.
    author: Option<String>,
    author_name: Option<String>,
}

/// A task's detail panel: the stored row, and the notes as Canvas has them now; when Canvas
/// cannot be read, the row alone and why.
#[derive(Serialize, TS)]
pub struct TaskDetail {
    /// As stored locally.
    row: Option<TaskRow>,
    /// Oldest first.
    notes: Vec<NoteView>,
    /// False when Canvas could not be read; then `notes` may be empty and `problem` says why.
    fresh: bool,
    problem: Option<String>,
    /// This user's practitioner id, so their own notes read "You".
    me: Option<String>,
}

#[tauri::command]
pub async fn task_detail(
    shell: State<'_, Shell>,
    system: String,
    task_id: String,
) -> CommandResult<TaskDetail> {
    let task = TaskRef::new(system, task_id);
    let me = shell.live().requester;
    // Stored like any read, so the panel and the list agree.
    let read = match shell.engine.refresh_task(&task).await {
        Err(EngineError::NoCanvas) => Err(NOT_CONNECTED.to_string()),
        other => other.map_err(sentence),
    };
    let key = task.clone();
    let row = shell
        .engine
        .read(move |s| s.task(&key))
        .await
        .map_err(sentence)?;
    let (notes, fresh, problem) = match read {
        Ok(t) => (t.notes, true, None),
        Err(e) => (Vec::new(), false, Some(e)),
    };
    let notes = notes
        .into_iter()
        .map(|n| NoteView {
            author_name: n
                .author
                .as_deref()
                .zip(row.as_ref())
                .and_then(|(a, r)| r.name_of(a))
                .map(str::to_string),
            text: n.text,
            time: n.time.map(taskbell_core::time_util::format_rfc3339),
            author: n.author,
        })
        .collect();
    Ok(TaskDetail {
        row,
        notes,
        fresh,
        problem,
        me,
    })
}

/// An action as the window sends it: the comment's author is this user.
#[derive(Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActionInput {
    Complete,
    Close,
    Reopen,
    Comment {
        text: String,
    },
    AssignOwner {
        practitioner: String,
    },
    AssignTeam {
        group: String,
    },
    Due {
        /// RFC 3339 with offset.
        due: String,
    },
}

impl ActionInput {
    fn into_action(self, me: Option<String>) -> CommandResult<TaskAction> {
        Ok(match self {
            ActionInput::Complete => TaskAction::Complete,
            ActionInput::Close => TaskAction::Close,
            ActionInput::Reopen => TaskAction::Reopen,
            ActionInput::Comment { text } => TaskAction::Comment {
                text,
                author: me.ok_or(NOT_CONNECTED)?,
            },
            ActionInput::AssignOwner { practitioner } => TaskAction::AssignOwner { practitioner },
            ActionInput::AssignTeam { group } => TaskAction::AssignTeam { group },
            ActionInput::Due { due } => TaskAction::Due {
                due: parse_rfc3339(due.trim())
                    .ok_or_else(|| format!("The due date {due:?} is not a date and time."))?,
            },
        })
    }
}

/// What the window shows after an action.
#[derive(Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ActView {
    /// `message` is what Canvas now says, e.g. "Completed." or "Already completed.".
    Done { already: bool, message: String },
    /// Canvas could not be reached; the action is sent when it answers.
    Queued { local_id: String, reason: String },
}

/// "the task is already completed in Canvas" as a sentence of its own.
fn sentence_case(s: &str) -> String {
    let mut c = s.chars();
    let mut out: String = c
        .next()
        .map(|f| f.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(c.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

#[tauri::command]
pub async fn act_on_task(
    shell: State<'_, Shell>,
    system: String,
    task_id: String,
    action: ActionInput,
    seen: Option<TaskStatus>,
) -> CommandResult<ActView> {
    let action = action.into_action(shell.live().requester)?;
    let task = TaskRef::new(system, task_id);
    let mut req = ActionRequest::new(action);
    req.seen = seen;
    match shell.engine.act(&task, req).await {
        Ok(ActOutcome::Done { task, already }) => Ok(ActView::Done {
            message: match &already {
                Some(why) => sentence_case(why),
                None => format!("Done. Canvas says the task is {}.", task.status.as_str()),
            },
            already: already.is_some(),
        }),
        Ok(ActOutcome::Queued { local_id, reason }) => Ok(ActView::Queued { local_id, reason }),
        Err(EngineError::NoCanvas) => Err(NOT_CONNECTED.into()),
        Err(e) => Err(sentence(e)),
    }
}

#[tauri::command]
pub async fn unread(shell: State<'_, Shell>) -> CommandResult<Vec<Notice>> {
    shell.engine.unread().await.map_err(sentence)
}

#[tauri::command]
pub async fn mark_all_read<R: Runtime>(app: AppHandle<R>) -> CommandResult<()> {
    let shell = app.state::<Shell>();
    shell.engine.mark_all_read().await.map_err(sentence)?;
    status::recount(&app).await;
    Ok(())
}

#[tauri::command]
pub async fn mark_read<R: Runtime>(app: AppHandle<R>, id: i64) -> CommandResult<()> {
    let shell = app.state::<Shell>();
    shell.engine.mark_read(id).await.map_err(sentence)?;
    status::recount(&app).await;
    Ok(())
}

//! The history view: pages, a task's timeline, the chart's numbers, CSV export and links.

use super::{sentence, CommandResult};
use crate::links;
use crate::state::Shell;
use taskbell_core::export::export_history;
use taskbell_core::store::{EventRow, HistoryPage, HistoryQuery, Stats, TaskRow};
use taskbell_core::TaskRef;
use tauri::{AppHandle, Manager, Runtime, State};

#[tauri::command]
pub async fn history(shell: State<'_, Shell>, query: HistoryQuery) -> CommandResult<HistoryPage> {
    shell
        .engine
        .read(move |s| s.history(&query))
        .await
        .map_err(sentence)
}

#[tauri::command]
pub async fn timeline(
    shell: State<'_, Shell>,
    system: String,
    task_id: String,
) -> CommandResult<Vec<EventRow>> {
    let task = TaskRef::new(system, task_id);
    shell
        .engine
        .read(move |s| s.timeline(&task))
        .await
        .map_err(sentence)
}

/// One task as stored, for a list to update that row alone; `None` when it is not known.
#[tauri::command]
pub async fn task_row(
    shell: State<'_, Shell>,
    system: String,
    task_id: String,
) -> CommandResult<Option<TaskRow>> {
    let task = TaskRef::new(system, task_id);
    shell
        .engine
        .read(move |s| s.task(&task))
        .await
        .map_err(sentence)
}

#[tauri::command]
pub async fn stats(
    shell: State<'_, Shell>,
    from: i64,
    to: i64,
    utc_offset_ms: i64,
) -> CommandResult<Stats> {
    shell
        .engine
        .read(move |s| s.stats(from, to, utc_offset_ms))
        .await
        .map_err(sentence)
}

/// Writes the filtered history to the Downloads folder (the home folder when there is none)
/// and returns the file's path.
#[tauri::command]
pub async fn export_csv<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    query: HistoryQuery,
) -> CommandResult<String> {
    let dir = app
        .path()
        .download_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|e| format!("There is no Downloads or home folder to export to: {e}"))?;
    let today = time::OffsetDateTime::now_utc().date();
    let path = export_history(&shell.engine, query, &dir, today)
        .await
        .map_err(sentence)?;
    Ok(path.display().to_string())
}

#[tauri::command]
pub fn open_url<R: Runtime>(app: AppHandle<R>, url: String) -> CommandResult<()> {
    links::open(&app, &url)
}

//! The window's own commands: the status, closing itself, and marking completions seen.

use super::CommandResult;
use crate::state::Shell;
use crate::{status, window};
use taskbell_core::status::AppStatus;
use tauri::{AppHandle, Runtime, State};

#[tauri::command]
pub fn get_status(shell: State<'_, Shell>) -> AppStatus {
    status::current(&shell)
}

#[tauri::command]
pub async fn hide_window<R: Runtime>(app: AppHandle<R>) -> CommandResult<()> {
    window::close(&app);
    Ok(())
}

#[tauri::command]
pub fn mark_seen<R: Runtime>(app: AppHandle<R>) {
    status::update(&app, |f| f.unseen_completions = 0);
}

//! The window's own commands: the status and closing itself.

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

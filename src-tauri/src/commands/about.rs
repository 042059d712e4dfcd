//! The About section of Settings: which Taskbell, where its data and log are, how it is
//! connected; the diagnostics to copy (cleaned in taskbell-core); opening the log's folder.

use super::{sentence, CommandResult};
use crate::state::Shell;
use taskbell_core::diagnostics::{self, About};
use taskbell_core::settings::SecretName;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_opener::OpenerExt;

async fn facts(shell: &Shell) -> About {
    let settings = shell.settings();
    let status = crate::status::current(shell);
    let backend = shell.secrets.read().await.backend();
    About {
        version: env!("CARGO_PKG_VERSION").into(),
        os: diagnostics::os_description(),
        instance: settings.display_name(),
        mode: status.mode,
        receive: status.receive,
        connection: status.line,
        secrets: backend,
        data_dir: shell.paths.data_dir.clone(),
        log_file: shell.options.log_file.clone(),
    }
}

#[tauri::command]
pub async fn about(shell: State<'_, Shell>) -> CommandResult<About> {
    Ok(facts(&shell).await)
}

/// Every secret this Taskbell holds is taken out, the sandbox's own included.
#[tauri::command]
pub async fn diagnostics(shell: State<'_, Shell>) -> CommandResult<String> {
    let about = facts(&shell).await;
    let stored = shell.secrets.read().await;
    let mut secrets: Vec<String> = SecretName::ALL
        .iter()
        .filter_map(|n| stored.get(*n))
        .collect();
    if let Some(sb) = shell.live().sandbox {
        secrets.extend([sb.client_secret, sb.socket_api_key]);
        secrets.extend(sb.webhook_secret);
    }
    shell
        .engine
        .read(move |store| diagnostics::collect(&about, store, secrets))
        .await
        .map_err(sentence)
}

/// Opens the folder that holds the log in the file manager.
#[tauri::command]
pub fn open_log_folder<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
) -> CommandResult<()> {
    let file = shell
        .options
        .log_file
        .clone()
        .ok_or("Taskbell is not writing a log file.")?;
    let dir = file.parent().ok_or("The log file has no folder.")?;
    app.opener()
        .open_path(dir.to_string_lossy(), None::<&str>)
        .map_err(|e| format!("The folder could not be opened: {e}"))
}

//! Settings: read, save (secrets to the secret store, the rest to settings.json, then restart
//! the connection if it changed), test a connection, and start a tunnel.

use super::CommandResult;
use crate::state::Shell;
use crate::{connection, settings_store, status};
use taskbell_core::settings::{check_connection, AppSettings, ConnectionCheck};
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_autostart::ManagerExt;

/// Async, as every command that reads secrets: they may be in the keychain, behind D-Bus.
#[tauri::command]
pub async fn get_settings(shell: State<'_, Shell>) -> CommandResult<AppSettings> {
    Ok(shell.settings_for_window().await)
}

#[tauri::command]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    settings: AppSettings,
) -> CommandResult<AppSettings> {
    let stored = shell.secrets.read().await;
    let (next, secrets) = settings
        .prepare_save(|n| stored.has(n))
        .map_err(|e| e.message)?;
    let changed_secrets = !secrets.is_empty();
    if changed_secrets {
        shell.secrets.write(secrets).await?;
    }
    settings_store::save(&app, &shell.paths.settings_file(), &next)?;
    apply_autostart(&app, next.autostart);
    let restart = shell.settings().connection_changed(&next) || changed_secrets;
    shell.engine.set_prefs(next.notify_prefs());
    if let Some(d) = &shell.desktop {
        d.set_sound(next.notify.sound);
    }
    shell.set_settings(next);
    if restart {
        connection::restart(app.clone()).await;
    } else {
        status::publish(&app);
    }
    Ok(shell.settings_for_window().await)
}

/// Turning it on always writes the login entry, so that it names the binary running now: an
/// entry left by another copy (a build tree, before the package was installed) would start that
/// one at login.
pub(crate) fn apply_autostart<R: Runtime>(app: &AppHandle<R>, on: bool) {
    let launcher = app.autolaunch();
    let result = match (on, launcher.is_enabled()) {
        (true, _) => launcher.enable(),
        (false, Ok(false)) => Ok(()),
        (false, _) => launcher.disable(),
    };
    if let Err(e) = result {
        tracing::warn!(
            "starting at login could not be {}: {e}",
            if on { "turned on" } else { "turned off" }
        );
    }
}

#[tauri::command]
pub async fn test_connection(
    shell: State<'_, Shell>,
    settings: AppSettings,
) -> CommandResult<ConnectionCheck> {
    let sandbox = shell.live().sandbox;
    let stored = shell.secrets.read().await;
    Ok(check_connection(&settings, |n| stored.get(n), sandbox.as_ref()).await)
}

#[tauri::command]
pub async fn start_tunnel<R: Runtime>(app: AppHandle<R>) -> CommandResult<String> {
    connection::start_tunnel(&app).await
}

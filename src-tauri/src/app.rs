//! Building the app: plugins, commands, and the setup that opens the database, the tray, the
//! window and the connection. Takes the builder so tests run the same setup on Tauri's mock
//! runtime (with the tray left out), as Tauri's own examples/api does.

use crate::notifier::{self, ShellNotifier};
use crate::options::Options;
use crate::secrets::Secrets;
use crate::state::{Paths, Shell};
use crate::{appearance, commands, connection, events, settings_store, status, tray, window};
use std::sync::Arc;
use taskbell_core::notify::Notifier;
use taskbell_core::Engine;
use tauri::{App, AppHandle, Builder, Manager, RunEvent, Runtime};
use tauri_plugin_autostart::MacosLauncher;

/// The argument autostart launches Taskbell with: at login it starts in the tray, windowless.
pub const AUTOSTART_ARG: &str = "--autostart";

pub fn build<R: Runtime>(builder: Builder<R>, options: Options) -> Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_autostart::init(
            MacosLauncher::LaunchAgent,
            Some(vec![AUTOSTART_ARG]),
        ))
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(commands::handler())
        .setup(move |app| setup(app, options))
}

/// Runs on the GTK main thread, so it starts whatever talks to D-Bus (the keychain, the
/// notification service) on other threads instead of waiting for it here.
fn setup<R: Runtime>(app: &mut App<R>, options: Options) -> Result<(), Box<dyn std::error::Error>> {
    let handle = app.handle().clone();
    let paths = resolve_paths(&handle, &options)?;
    let secrets = Secrets::new(paths.config_dir.clone(), options.keychain);
    let settings = settings_store::load(&handle, &paths.settings_file());
    let (notifier, desktop): (Arc<dyn Notifier>, _) = match options.notifier.clone() {
        Some(n) => (n, None),
        None => {
            let d = Arc::new(ShellNotifier::new(&handle));
            (d.clone(), Some(d))
        }
    };
    if settings.autostart && options.tray {
        commands::apply_autostart(&handle, true);
    }
    let engine = Engine::open(&paths.database(), notifier)?;
    tracing::info!(db = %paths.database().display(), "starting");
    app.manage(Shell::new(
        engine,
        secrets,
        paths,
        settings,
        desktop.clone(),
        options.clone(),
    ));
    let opening = handle.clone();
    tauri::async_runtime::spawn(async move { opening.state::<Shell>().secrets.open().await });

    let tray = options.tray && tray::create(&handle);
    app.state::<Shell>()
        .update_facts(|f| f.tray_available = tray);
    // Without a tray the window is the only way in, whatever was asked.
    if options.window_at_start || (options.tray && !tray) {
        window::create(&handle, None)?;
    }
    appearance::follow(&handle);
    events::forward(handle.clone());
    status::publish(&handle);
    if let Some(d) = desktop {
        // Asking D-Bus may start a notification daemon, which takes a moment: not in the way
        // of connecting.
        tauri::async_runtime::spawn(notifier::probe(handle.clone(), d));
    }
    tauri::async_runtime::spawn(connection::restart(handle));
    Ok(())
}

fn resolve_paths<R: Runtime>(app: &AppHandle<R>, options: &Options) -> tauri::Result<Paths> {
    Ok(match &options.data_dir {
        Some(dir) => Paths {
            data_dir: dir.clone(),
            config_dir: dir.clone(),
        },
        None => Paths {
            data_dir: app.path().app_data_dir()?,
            config_dir: app.path().app_config_dir()?,
        },
    })
}

/// Closing the last window keeps Taskbell in the tray; only Quit (an explicit exit code) ends
/// it, after stopping the receiver and the sandbox. Without a tray there would be no way back
/// and no Quit, so closing the window ends it then.
pub fn on_run_event<R: Runtime>(app: &AppHandle<R>, event: RunEvent) {
    match event {
        RunEvent::ExitRequested {
            code: None, api, ..
        } if app
            .try_state::<Shell>()
            .is_some_and(|s| s.facts().tray_available) =>
        {
            api.prevent_exit()
        }
        RunEvent::Exit => {
            let app = app.clone();
            tauri::async_runtime::block_on(async move {
                if tokio::time::timeout(connection::STOP_GRACE, connection::stop(&app))
                    .await
                    .is_err()
                {
                    tracing::warn!("the connection did not stop in time");
                }
            });
        }
        _ => {}
    }
}

//! The desktop shell: wiring only. Every rule lives in taskbell-core; this crate adapts it to a
//! tray, one window, desktop notifications and Tauri commands.

mod app;
mod appearance;
#[cfg(test)]
mod bindings;
pub mod cli;
mod commands;
mod connection;
mod events;
mod links;
pub mod logging;
mod notifier;
mod options;
mod secrets;
mod settings_store;
mod state;
mod status;
mod text_scale;
mod threads;
mod tray;
mod window;

pub use app::build;
pub use options::Options;

use std::sync::OnceLock;

/// Has Tauri run its tasks on `threads::runtime`, whose workers the debug checks recognise;
/// once per process, before anything else uses Tauri. Tests on the mock runtime call it too.
pub fn install_runtime() -> std::io::Result<()> {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    if RUNTIME.get().is_some() {
        return Ok(());
    }
    let made = threads::runtime()?;
    if RUNTIME.set(made).is_ok() {
        if let Some(rt) = RUNTIME.get() {
            tauri::async_runtime::set(rt.handle().clone());
        }
    }
    Ok(())
}

/// Starts the app as a user launches it, and returns when the user chooses Quit.
pub fn run(options: Options) -> tauri::Result<()> {
    install_runtime()?;
    // Registered first, as the plugin asks: a second launch hands over to this one and exits.
    let builder =
        tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            window::show(app, None);
        }));
    // The single-instance plugin connects to D-Bus on this thread while the app is built. Inside
    // the runtime's context zbus puts that connect's blocking work on tokio's pool, whose idle
    // threads exit; outside it, on async-io's pool, whose idle thread wakes twice a second for
    // as long as the app runs.
    let handle = tauri::async_runtime::handle();
    let in_runtime = handle.inner().enter();
    let app = build(builder, options).build(tauri::generate_context!("../tauri.conf.json"))?;
    drop(in_runtime);
    app.run(app::on_run_event);
    Ok(())
}

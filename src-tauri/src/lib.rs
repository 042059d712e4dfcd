//! The desktop shell: wiring only. Every rule lives in taskbell-core; this crate adapts it to a
//! tray, one window, desktop notifications and Tauri commands.

mod app;
mod commands;
mod connection;
mod events;
mod links;
mod notifier;
mod options;
mod settings_store;
mod state;
mod status;
mod tray;
mod window;

pub use app::build;
pub use options::Options;

/// Starts the app as a user launches it, and returns when the user chooses Quit.
pub fn run() -> tauri::Result<()> {
    // Registered first, as the plugin asks: a second launch hands over to this one and exits.
    let builder = tauri::Builder::default().plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
        window::show(app, None);
    }));
    let app = build(builder, Options::from_env()).build(tauri::generate_context!("../tauri.conf.json"))?;
    app.run(app::on_run_event);
    Ok(())
}

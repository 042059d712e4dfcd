//! Settings persistence: the secret-free settings document in settings.json through
//! tauri-plugin-store. A file that cannot be read gives the defaults (and says so in the log)
//! rather than an app that will not start.

use std::path::Path;
use taskbell_core::settings::AppSettings;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

const KEY: &str = "settings";

pub fn load<R: Runtime>(app: &AppHandle<R>, path: &Path) -> AppSettings {
    let store = match app.store(path) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(
                "settings unreadable at {}, using the defaults: {e}",
                path.display()
            );
            return AppSettings::default();
        }
    };
    let Some(saved) = store.get(KEY) else {
        return AppSettings::default();
    };
    serde_json::from_value(saved).unwrap_or_else(|e| {
        tracing::warn!(
            "settings in {} are not understood, using the defaults: {e}",
            path.display()
        );
        AppSettings::default()
    })
}

/// Writes `settings` (which serializes without secrets) and waits until it is on disk.
pub fn save<R: Runtime>(
    app: &AppHandle<R>,
    path: &Path,
    settings: &AppSettings,
) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| {
        format!("The settings could not be saved to {}: {e}", path.display())
    };
    let store = app.store(path).map_err(|e| fail(&e))?;
    let value = serde_json::to_value(settings).map_err(|e| fail(&e))?;
    store.set(KEY, value);
    store.save().map_err(|e| fail(&e))
}

//! Links leave the app only for the browser, and only as http(s): a permalink from Canvas (or
//! anything the window passes) must not open a file or a custom scheme handler.

use tauri::{AppHandle, Runtime};
use tauri_plugin_opener::OpenerExt;

pub fn open<R: Runtime>(app: &AppHandle<R>, url: &str) -> Result<(), String> {
    let parsed =
        url::Url::parse(url.trim()).map_err(|_| "That link is not a web address.".to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "Only web links open from Taskbell, not {}: links.",
            parsed.scheme()
        ));
    }
    app.opener()
        .open_url(parsed.as_str(), None::<&str>)
        .map_err(|e| format!("The browser could not be started: {e}"))
}

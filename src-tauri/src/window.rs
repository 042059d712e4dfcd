//! The one window, `main`. Closing it destroys it, so WebKit's web process exits and an idle
//! Taskbell costs little; the tray builds it again on demand. A view asked for while the window
//! is being built is sent once its page can hear it: the page cannot say when it has subscribed,
//! so the view goes out shortly after it first asks for the status and again after it loaded.

use crate::state::{Shell, View};
use std::time::Duration;
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

pub const LABEL: &str = "main";
pub const NAVIGATE: &str = "navigate";

/// How long after its first status request a new page is given to finish subscribing.
const AFTER_STATUS: Duration = Duration::from_millis(300);
/// The last chance, counted from the end of the page load.
const AFTER_LOAD: Duration = Duration::from_millis(1500);

/// Brings the window up (building it if needed) and shows `view`.
pub fn show<R: Runtime>(app: &AppHandle<R>, view: Option<View>) {
    if let Some(w) = app.get_webview_window(LABEL) {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
        if let Some(v) = view {
            let _ = app.emit_to(LABEL, NAVIGATE, v);
        }
        return;
    }
    if let (Some(v), Some(shell)) = (view, app.try_state::<Shell>()) {
        shell.set_pending_view(v);
    }
    let handle = app.clone();
    // Windows are built on the main thread; this may be called from a notification's thread.
    let built = app.run_on_main_thread(move || {
        if let Err(e) = create(&handle) {
            tracing::error!("the window could not be opened: {e}");
        }
    });
    if let Err(e) = built {
        tracing::error!("the window could not be opened: {e}");
    }
}

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    if let Some(w) = app.get_webview_window(LABEL) {
        return Ok(w);
    }
    WebviewWindowBuilder::new(app, LABEL, WebviewUrl::App("index.html".into()))
        .title("Taskbell")
        .inner_size(960.0, 680.0)
        .min_inner_size(640.0, 480.0)
        .on_page_load(|w, payload| {
            if payload.event() == PageLoadEvent::Finished {
                deliver_pending(w.app_handle(), AFTER_LOAD, true);
            }
        })
        .build()
}

/// Sends the view a new window was opened for, after `delay`; `last` forgets it then.
pub fn deliver_pending<R: Runtime>(app: &AppHandle<R>, delay: Duration, last: bool) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(delay).await;
        let Some(shell) = app.try_state::<Shell>() else { return };
        let view = if last { shell.take_pending_view() } else { shell.pending_view() };
        if let Some(view) = view {
            if let Err(e) = app.emit_to(LABEL, NAVIGATE, view) {
                tracing::debug!("navigate not sent: {e}");
            }
        }
    });
}

/// Called when the window asks for the status: it is subscribing to its events.
pub fn page_is_listening<R: Runtime>(app: &AppHandle<R>) {
    deliver_pending(app, AFTER_STATUS, false);
}

/// Destroys the window; the app keeps running in the tray.
pub fn close<R: Runtime>(app: &AppHandle<R>) {
    let Some(w) = app.get_webview_window(LABEL) else { return };
    // Not from inside the window's own IPC call: the webview is still answering it.
    let _ = app.run_on_main_thread(move || {
        if let Err(e) = w.destroy() {
            tracing::warn!("the window could not be closed: {e}");
        }
    });
}

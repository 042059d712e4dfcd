//! The one window, `main`. Closing it destroys it, so WebKit's web process exits and an idle
//! Taskbell costs little; the tray builds it again on demand. A window built for a view carries
//! the view in its URL (`index.html#history`), which the page reads as it starts, so nothing has
//! to guess when the page is ready to be told. A window already open is sent `navigate`.

use crate::state::View;
use taskbell_core::TaskRef;
use tauri::{
    AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder,
};

pub const LABEL: &str = "main";
pub const NAVIGATE: &str = "navigate";
pub const OPEN_TASK: &str = "open-task";

/// Brings the window up (building it if needed) and shows `view`.
pub fn show<R: Runtime>(app: &AppHandle<R>, view: Option<View>) {
    open(app, Page::View(view));
}

/// Brings the window up at For me, with `task`'s detail panel open.
pub fn show_task<R: Runtime>(app: &AppHandle<R>, task: &TaskRef) {
    open(app, Page::Task(task.clone()));
}

/// Where the window is to open.
#[derive(Clone)]
enum Page {
    View(Option<View>),
    Task(TaskRef),
}

fn open<R: Runtime>(app: &AppHandle<R>, page: Page) {
    if let Some(w) = app.get_webview_window(LABEL) {
        bring_up(app, &w, page);
        return;
    }
    let handle = app.clone();
    // Windows are built on the main thread; this may be called from a notification's thread.
    let built = app.run_on_main_thread(move || match handle.get_webview_window(LABEL) {
        // Built by an earlier request meanwhile.
        Some(w) => bring_up(&handle, &w, page),
        None => {
            if let Err(e) = build(&handle, page_url(&page)) {
                tracing::error!("the window could not be opened: {e}");
            }
        }
    });
    if let Err(e) = built {
        tracing::error!("the window could not be opened: {e}");
    }
}

fn bring_up<R: Runtime>(app: &AppHandle<R>, w: &WebviewWindow<R>, page: Page) {
    let _ = w.unminimize();
    let _ = w.show();
    let _ = w.set_focus();
    let sent = match page {
        Page::View(None) => Ok(()),
        Page::View(Some(v)) => app.emit_to(LABEL, NAVIGATE, v),
        Page::Task(t) => app.emit_to(LABEL, OPEN_TASK, t),
    };
    if let Err(e) = sent {
        tracing::debug!("the window was not told where to go: {e}");
    }
}

fn page_url(page: &Page) -> WebviewUrl {
    match page {
        Page::View(v) => url(*v),
        Page::Task(t) => task_url(t),
    }
}

/// For me with `t`'s panel open: `index.html#forme/<system>/<id>`, each part URL-encoded.
pub fn task_url(t: &TaskRef) -> WebviewUrl {
    WebviewUrl::App(format!("index.html#forme/{}/{}", encode(&t.system), encode(&t.id)).into())
}

/// As JavaScript's `encodeURIComponent`, which the page undoes with `decodeURIComponent`.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The window's page, opening at `view` (the page's own default without one).
pub fn url(view: Option<View>) -> WebviewUrl {
    match view {
        Some(v) => WebviewUrl::App(format!("index.html#{}", v.name()).into()),
        None => WebviewUrl::App("index.html".into()),
    }
}

pub fn create<R: Runtime>(
    app: &AppHandle<R>,
    view: Option<View>,
) -> tauri::Result<WebviewWindow<R>> {
    build(app, url(view))
}

fn build<R: Runtime>(app: &AppHandle<R>, url: WebviewUrl) -> tauri::Result<WebviewWindow<R>> {
    if let Some(w) = app.get_webview_window(LABEL) {
        return Ok(w);
    }
    let scale = crate::text_scale::desktop();
    if scale != 1.0 {
        tracing::info!("text scaled {scale:.2}× to follow the desktop's font size");
    }
    WebviewWindowBuilder::new(app, LABEL, url)
        .initialization_script(crate::text_scale::init_script(scale))
        .title("Taskbell")
        .inner_size(960.0, 680.0)
        .min_inner_size(640.0, 480.0)
        // Ctrl+= / Ctrl+- / Ctrl+0, as in a browser, for anyone who needs larger text.
        .zoom_hotkeys_enabled(true)
        .build()
}

/// Destroys the window; the app keeps running in the tray.
pub fn close<R: Runtime>(app: &AppHandle<R>) {
    let Some(w) = app.get_webview_window(LABEL) else {
        return;
    };
    // Not from inside the window's own IPC call: the webview is still answering it.
    let _ = app.run_on_main_thread(move || {
        if let Err(e) = w.destroy() {
            tracing::warn!("the window could not be closed: {e}");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use tauri::Listener;

    #[test]
    fn a_new_window_opens_at_its_view_and_an_open_one_is_told() {
        let app = tauri::test::mock_app();
        show(app.handle(), Some(View::History));
        let w = app.get_webview_window(LABEL).expect("the window was built");
        assert_eq!(
            w.url().expect("a url").as_str(),
            "tauri://localhost/index.html#history"
        );

        let (tx, rx) = std::sync::mpsc::channel();
        app.listen_any(NAVIGATE, move |e| {
            let _ = tx.send(e.payload().to_string());
        });
        show(app.handle(), Some(View::Settings));
        let sent = rx
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("navigate was sent");
        assert_eq!(sent, "\"settings\"");
        assert_eq!(
            w.url().expect("a url").as_str(),
            "tauri://localhost/index.html#history",
            "not rebuilt"
        );
    }

    #[test]
    fn without_a_view_the_page_is_plain() {
        assert_eq!(url(None).to_string(), "index.html");
        assert_eq!(url(Some(View::New)).to_string(), "index.html#new");
        assert_eq!(url(Some(View::ForMe)).to_string(), "index.html#forme");
    }

    #[test]
    fn a_task_opens_in_for_me_with_its_parts_encoded() {
        let t = TaskRef::new("demo clinic", "a/b");
        assert_eq!(
            task_url(&t).to_string(),
            "index.html#forme/demo%20clinic/a%2Fb"
        );
    }
}

//! The tray icon and its menu. Linux trays (AppIndicator) send no clicks, so everything is a
//! menu item, the first one a disabled line saying how Taskbell is connected. The icon gains a
//! dot while notices wait unread, and the menu counts them and the work that is the user's.
//!
//! libappindicator-sys panics when libayatana-appindicator3 is missing, so the tray is built
//! under `catch_unwind`; without it the app says so in its status and keeps its window open.

use crate::state::View;
use crate::status::{self, PauseChoice};
use crate::window;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use taskbell_core::status::AppStatus;
use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Runtime};

/// Logged (at info) once the tray exists.
pub const READY: &str = "tray ready";

const ICON: &[u8] = include_bytes!("../icons/128x128.png");
const ICON_UNSEEN: &[u8] = include_bytes!("../icons/tray-unseen.png");

struct Tray<R: Runtime> {
    icon: TrayIcon<R>,
    status: MenuItem<R>,
    resume: MenuItem<R>,
    for_me: MenuItem<R>,
    read: MenuItem<R>,
    line: Mutex<String>,
    counts: Mutex<(u32, u32)>,
    dot: AtomicBool,
}

fn for_me_text(n: u32) -> String {
    format!("For me ({n})…")
}

fn read_text(n: u32) -> String {
    match n {
        0 => "Mark all read".to_string(),
        n => format!("Mark all read ({n} unread)"),
    }
}

/// Builds the tray; false (logged) when this desktop cannot have one.
pub fn create<R: Runtime>(app: &AppHandle<R>) -> bool {
    match std::panic::catch_unwind(AssertUnwindSafe(|| build(app))) {
        Ok(Ok(tray)) => {
            app.manage(tray);
            // The desktop benchmark times launches to this line, and the end-to-end tests wait
            // for it (bench/desktop and tests/ match it as logged).
            tracing::info!("{READY}");
            true
        }
        Ok(Err(e)) => {
            tracing::error!("no tray icon: {e}");
            false
        }
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown reason");
            tracing::error!("no tray icon (is libayatana-appindicator3 installed?): {why}");
            false
        }
    }
}

fn item<R: Runtime>(app: &AppHandle<R>, id: &str, text: &str) -> tauri::Result<MenuItem<R>> {
    MenuItem::with_id(app, id, text, true, None::<&str>)
}

fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Tray<R>> {
    let status = MenuItem::with_id(app, "status", "Taskbell · starting", false, None::<&str>)?;
    let resume = MenuItem::with_id(app, "resume", "Resume", false, None::<&str>)?;
    let pause = Submenu::with_id_and_items(
        app,
        "pause",
        "Pause notifications",
        true,
        &[
            &item(app, "pause-hour", "For 1 hour")?,
            &item(app, "pause-on", "Until resumed")?,
            &resume,
        ],
    )?;
    let for_me = item(app, "forme", &for_me_text(0))?;
    let read = MenuItem::with_id(app, "read", read_text(0), false, None::<&str>)?;
    let menu = Menu::with_items(
        app,
        &[
            &status,
            &PredefinedMenuItem::separator(app)?,
            &for_me,
            &read,
            &item(app, "new", "New task…")?,
            &item(app, "history", "Task history…")?,
            &pause,
            &item(app, "settings", "Settings…")?,
            &PredefinedMenuItem::separator(app)?,
            &item(app, "quit", "Quit")?,
        ],
    )?;
    let icon = TrayIconBuilder::with_id("main")
        .icon(Image::from_bytes(ICON)?)
        .tooltip("Taskbell")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu)
        .build(app)?;
    Ok(Tray {
        icon,
        status,
        resume,
        for_me,
        read,
        line: Mutex::new(String::new()),
        counts: Mutex::new((0, 0)),
        dot: AtomicBool::new(false),
    })
}

fn on_menu<R: Runtime>(app: &AppHandle<R>, e: MenuEvent) {
    match e.id().as_ref() {
        "forme" => window::show(app, Some(View::ForMe)),
        "read" => {
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                let shell = app.state::<crate::state::Shell>();
                if let Err(e) = shell.engine.mark_all_read().await {
                    tracing::warn!("notices could not be marked read: {e}");
                }
                status::recount(&app).await;
            });
        }
        "new" => window::show(app, Some(View::New)),
        "history" => window::show(app, Some(View::History)),
        "settings" => window::show(app, Some(View::Settings)),
        "pause-hour" => status::pause(app, PauseChoice::OneHour),
        "pause-on" => status::pause(app, PauseChoice::UntilResumed),
        "resume" => status::pause(app, PauseChoice::Resume),
        "quit" => app.exit(0),
        _ => {}
    }
}

/// Shows `s` in the tray: the status line, Resume enabled while paused, the counts, the dot
/// while notices are unread. Touches the tray only for what changed.
pub fn refresh<R: Runtime>(app: &AppHandle<R>, s: &AppStatus) {
    let Some(tray) = app.try_state::<Tray<R>>() else {
        return;
    };
    {
        let mut line = tray.line.lock().unwrap_or_else(|p| p.into_inner());
        if *line != s.line {
            if let Err(e) = tray.status.set_text(&s.line) {
                tracing::debug!("tray status not updated: {e}");
            }
            let _ = tray.resume.set_enabled(s.paused_until.is_some());
            *line = s.line.clone();
        }
    }
    {
        let mut counts = tray.counts.lock().unwrap_or_else(|p| p.into_inner());
        if *counts != (s.for_me, s.unread) {
            let _ = tray.for_me.set_text(for_me_text(s.for_me));
            let _ = tray.read.set_text(read_text(s.unread));
            let _ = tray.read.set_enabled(s.unread > 0);
            let tip = match s.unread {
                0 => "Taskbell".to_string(),
                n => format!("Taskbell · {n} unread"),
            };
            let _ = tray.icon.set_tooltip(Some(tip));
            *counts = (s.for_me, s.unread);
        }
    }
    let dot = s.unread > 0;
    if tray.dot.swap(dot, Ordering::Relaxed) != dot {
        let image = Image::from_bytes(if dot { ICON_UNSEEN } else { ICON });
        if let Err(e) = image.and_then(|i| tray.icon.set_icon(Some(i))) {
            tracing::debug!("tray icon not updated: {e}");
        }
    }
}

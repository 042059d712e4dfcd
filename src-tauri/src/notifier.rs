//! Desktop notifications through core's DesktopNotifier, with its two buttons wired to the app
//! ("Open in Canvas" opens the permalink in the browser, "Show" opens the history), and every
//! outcome reported in the status so a desktop without a notification daemon is said plainly.
//! Every call here waits on D-Bus: the engine shows notifications from its blocking pool, the
//! probe runs there too, and the buttons are answered on the notifier's own listener thread.

use crate::state::View;
use crate::{links, status, threads, window};
use std::sync::Arc;
use taskbell_core::notify::desktop::{ActionHandler, DesktopNotifier, ACTION_OPEN, ACTION_SHOW};
use taskbell_core::notify::{Notification, Notifier, NotifyError};
use tauri::{AppHandle, Runtime};

type Report = Box<dyn Fn(bool) + Send + Sync>;

pub struct ShellNotifier {
    desktop: DesktopNotifier,
    report: Report,
}

impl ShellNotifier {
    pub fn new<R: Runtime>(app: &AppHandle<R>) -> Self {
        let on_action: ActionHandler = {
            let app = app.clone();
            Arc::new(move |action, _task, link| match action {
                ACTION_OPEN => match link {
                    Some(url) => {
                        if let Err(e) = links::open(&app, url) {
                            tracing::warn!("{e}");
                        }
                    }
                    None => window::show(&app, Some(View::History)),
                },
                ACTION_SHOW => window::show(&app, Some(View::History)),
                _ => {}
            })
        };
        let report: Report = {
            let app = app.clone();
            Box::new(move |ok| set_available(&app, ok))
        };
        ShellNotifier {
            desktop: DesktopNotifier::new(Some(on_action)),
            report,
        }
    }

    pub fn set_sound(&self, on: bool) {
        self.desktop.set_sound(on);
    }
}

impl Notifier for ShellNotifier {
    fn show(&self, n: &Notification) -> Result<(), NotifyError> {
        threads::debug_assert_may_block("a desktop notification");
        let shown = self.desktop.show(n);
        (self.report)(shown.is_ok());
        shown
    }
}

/// Records whether notifications reach the desktop, publishing only when that changes.
pub fn set_available<R: Runtime>(app: &AppHandle<R>, ok: bool) {
    use tauri::Manager;
    let Some(shell) = app.try_state::<crate::state::Shell>() else {
        return;
    };
    if shell.facts().notifications_available != ok {
        if !ok {
            tracing::warn!(
                "desktop notifications are unavailable: no notification service answers"
            );
        }
        status::update(app, |f| f.notifications_available = ok);
    }
}

/// Asks the session bus whether a notification service is there (D-Bus may start one), over
/// the connection notifications will use, which also starts listening for their buttons.
pub async fn probe<R: Runtime>(app: AppHandle<R>, notifier: Arc<ShellNotifier>) {
    let asked = tauri::async_runtime::spawn_blocking(move || {
        threads::debug_assert_may_block("asking for the notification service");
        notifier.desktop.check()
    });
    let ok = match asked.await {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            tracing::debug!("{e}");
            false
        }
        Err(e) => {
            tracing::debug!("the notification service probe failed: {e}");
            false
        }
    };
    set_available(&app, ok);
}

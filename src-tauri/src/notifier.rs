//! Desktop notifications through core's DesktopNotifier, with their buttons wired to the app:
//! "Mark done" completes the task in Canvas (through the outbox, as any action), "Snooze 1 h"
//! puts its reminders off, "Open in Canvas" opens the permalink in the browser, "Show" opens the
//! task in the window. Every outcome is reported in the status so a desktop without a
//! notification daemon is said plainly.
//! Every call here waits on D-Bus: the engine shows notifications from its blocking pool, the
//! probe runs there too, and the buttons are answered on the notifier's own listener thread.

use crate::{links, status, threads, window};
use std::sync::Arc;
use std::time::Duration;
use taskbell_core::canvas::{ActionRequest, TaskAction};
use taskbell_core::engine::ActOutcome;
use taskbell_core::notify::desktop::{ActionHandler, DesktopNotifier};
use taskbell_core::notify::{NoticeAction, Notification, Notifier, NotifyError};
use taskbell_core::{TaskRef, TaskStatus};
use tauri::{AppHandle, Manager, Runtime};

const SNOOZE: Duration = Duration::from_secs(3600);

type Report = Box<dyn Fn(bool) + Send + Sync>;

pub struct ShellNotifier {
    desktop: DesktopNotifier,
    report: Report,
}

impl ShellNotifier {
    pub fn new<R: Runtime>(app: &AppHandle<R>) -> Self {
        let on_action: ActionHandler = {
            let app = app.clone();
            Arc::new(
                move |action, task, link| match NoticeAction::from_key(action) {
                    Some(NoticeAction::Open) => match link {
                        Some(url) => {
                            if let Err(e) = links::open(&app, url) {
                                tracing::warn!("{e}");
                            }
                        }
                        None => window::show_task(&app, task),
                    },
                    Some(NoticeAction::Show) => window::show_task(&app, task),
                    Some(NoticeAction::Done) => mark_done(&app, task.clone()),
                    Some(NoticeAction::Snooze) => snooze(&app, task.clone()),
                    None => {}
                },
            )
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

/// Completes `task` in Canvas as the user saw it (open): if someone closed or completed it
/// meanwhile, nothing is overwritten, and the window opens on the task to say what happened.
fn mark_done<R: Runtime>(app: &AppHandle<R>, task: TaskRef) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let engine = app.state::<crate::state::Shell>().engine.clone();
        let req = ActionRequest::new(TaskAction::Complete).seen(Some(TaskStatus::Open));
        match engine.act(&task, req).await {
            Ok(ActOutcome::Done { .. }) => {
                tracing::info!(task = %task.id, "marked done from a notification")
            }
            Ok(ActOutcome::Queued { reason, .. }) => {
                tracing::info!(task = %task.id, "Mark done is queued: {reason}")
            }
            Err(e) => {
                tracing::warn!(task = %task.id, "Mark done was not applied: {e}");
                window::show_task(&app, &task);
            }
        }
    });
}

fn snooze<R: Runtime>(app: &AppHandle<R>, task: TaskRef) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let engine = app.state::<crate::state::Shell>().engine.clone();
        if let Err(e) = engine.snooze(&task, SNOOZE).await {
            tracing::warn!(task = %task.id, "the reminder could not be snoozed: {e}");
        }
    });
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

//! Publishing the status: composed in taskbell-core from the facts the shell keeps, then shown
//! in the tray and sent to the window as `status-changed`.

use crate::state::Shell;
use crate::tray;
use std::time::{Duration, Instant};
use taskbell_core::status::{AppStatus, Pause, StatusFacts};
use taskbell_core::store::ForWhom;
use taskbell_core::time_util::now_millis;
use tauri::{AppHandle, Emitter, Manager, Runtime};

pub const EVENT: &str = "status-changed";

pub fn current(shell: &Shell) -> AppStatus {
    shell.facts().compose(now_millis())
}

pub fn publish<R: Runtime>(app: &AppHandle<R>) {
    let Some(shell) = app.try_state::<Shell>() else {
        return;
    };
    let status = current(&shell);
    tray::refresh(app, &status);
    if let Err(e) = app.emit(EVENT, &status) {
        tracing::debug!("status not sent to the window: {e}");
    }
}

pub fn update<R: Runtime>(app: &AppHandle<R>, f: impl FnOnce(&mut StatusFacts)) {
    if let Some(shell) = app.try_state::<Shell>() {
        shell.update_facts(f);
    }
    publish(app);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseChoice {
    OneHour,
    UntilResumed,
    Resume,
}

const HOUR: Duration = Duration::from_secs(3600);

/// Silences notifications (events are still stored) and says so in the status line.
pub fn pause<R: Runtime>(app: &AppHandle<R>, choice: PauseChoice) {
    let Some(shell) = app.try_state::<Shell>() else {
        return;
    };
    let pause = match choice {
        PauseChoice::OneHour => {
            shell
                .engine
                .pause_notifications(Some(Instant::now() + HOUR));
            // The engine lifts the pause by itself; the status line needs telling.
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                tokio::time::sleep(HOUR + Duration::from_secs(1)).await;
                publish(&app);
            });
            Pause::Until(now_millis() + HOUR.as_millis() as i64)
        }
        PauseChoice::UntilResumed => {
            shell.engine.pause_notifications(None);
            Pause::UntilResumed
        }
        PauseChoice::Resume => {
            shell.engine.resume_notifications();
            Pause::Off
        }
    };
    update(app, |f| f.pause = pause);
}

/// Counts the unread notices and the work for me again, and publishes them if they changed.
pub async fn recount<R: Runtime>(app: &AppHandle<R>) {
    let Some(shell) = app.try_state::<Shell>() else {
        return;
    };
    let teams = shell.settings().notify.teams;
    let offset = taskbell_core::time_util::local_offset_ms();
    let unread = shell.engine.unread_count().await;
    let for_me = shell
        .engine
        .for_me(teams, ForWhom::Both, false, offset)
        .await
        .map(|rows| u32::try_from(rows.len()).unwrap_or(u32::MAX));
    let (Ok(unread), Ok(for_me)) = (unread, for_me) else {
        tracing::debug!("the unread and For me counts could not be read");
        return;
    };
    let facts = shell.facts();
    if (facts.unread, facts.for_me) != (unread, for_me) {
        update(app, |f| (f.unread, f.for_me) = (unread, for_me));
    }
}

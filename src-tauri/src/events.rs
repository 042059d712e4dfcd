//! Engine events to the window (`task-changed`), and to the unread and For me counts the tray
//! and the window show, recounted once per burst of changes.

use crate::state::Shell;
use crate::status;
use serde::Serialize;
use taskbell_core::{EventKind, TaskRef, TaskStatus, UiEvent};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use ts_rs::TS;

pub const TASK_CHANGED: &str = "task-changed";

/// The payload of `task-changed`: a task was stored or changed.
#[derive(Clone, Serialize, TS)]
pub(crate) struct TaskChanged<'a> {
    task: &'a TaskRef,
    kind: EventKind,
    status: TaskStatus,
}

pub fn forward<R: Runtime>(app: AppHandle<R>) {
    let mut events = app.state::<Shell>().engine.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(e) => on_event(&app, &e),
                // A burst outran the window: it refreshes on the next event anyway.
                Err(RecvError::Lagged(n)) => tracing::debug!("{n} task events not forwarded"),
                Err(RecvError::Closed) => return,
            }
            loop {
                match events.try_recv() {
                    Ok(e) => on_event(&app, &e),
                    Err(TryRecvError::Lagged(_)) => {}
                    Err(_) => break,
                }
            }
            status::recount(&app).await;
        }
    });
}

fn on_event<R: Runtime>(app: &AppHandle<R>, e: &UiEvent) {
    if let UiEvent::TaskChanged {
        task, kind, status, ..
    } = e
    {
        if let Err(err) = app.emit(
            TASK_CHANGED,
            TaskChanged {
                task,
                kind: *kind,
                status: *status,
            },
        ) {
            tracing::debug!("task-changed not sent: {err}");
        }
    }
}

//! Polling and reconcile: asking the FHIR API what changed. Push alone loses events (Canvas
//! skips some task events, and a client that is not connected misses broadcasts), so this runs
//! after every (re)connect and on a slow timer even in live modes, and on its own timer in poll
//! mode.
//!
//! Two ways to find changes: `GET /Task?modified=gt<cursor>` paged by 100 when the server takes
//! `modified`, else reading every open task the store tracks, a bounded number at a time.

use crate::canvas::{CanvasClient, CanvasError, TaskSearch};
use crate::engine::{Engine, EngineError};
use crate::store::PollCursor;
use crate::task::{EventKind, Source, Task, TaskEvent, TaskSnapshot, TaskStatus};
use crate::time_util::{from_millis, now_millis, to_millis};
use futures_util::{stream, StreamExt, TryStreamExt};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

#[derive(Debug, Clone)]
pub struct PollConfig {
    /// Reads in flight at once on the fallback path.
    pub parallel: usize,
    /// How far before the cursor a search starts again: absorbs clock skew and changes landing
    /// in the same instant as the cursor. Repeats cost nothing; the store dedupes them.
    pub overlap: Duration,
}

impl Default for PollConfig {
    fn default() -> Self {
        PollConfig { parallel: 8, overlap: Duration::from_secs(120) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Path {
    Modified,
    OpenTasks,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReconcileReport {
    pub path: Path,
    /// Tasks read from Canvas.
    pub seen: usize,
    /// Events that were new to the store.
    pub stored: usize,
    /// Of those, real status transitions.
    pub transitions: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Canvas(#[from] CanvasError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

#[derive(Clone)]
pub struct Poller {
    engine: Engine,
    client: CanvasClient,
    cfg: PollConfig,
}

impl Poller {
    pub fn new(engine: Engine, client: CanvasClient, cfg: PollConfig) -> Self {
        Poller { engine, client, cfg }
    }

    fn system(&self) -> String {
        self.client.system().to_string()
    }

    pub async fn reconcile(&self) -> Result<ReconcileReport, PollError> {
        let system = self.system();
        let cursor = self.engine.read(move |s| s.poll_cursor(&system)).await?;
        if cursor.as_ref().and_then(|c| c.modified_supported) != Some(false) {
            match self.by_modified(cursor.as_ref()).await {
                Err(PollError::Canvas(e)) if e.status() == Some(400) => {
                    tracing::info!("this Canvas does not search tasks by `modified` ({e}); reading open tasks instead");
                    let at = cursor.as_ref().map(|c| c.cursor_at).unwrap_or_else(now_millis);
                    self.save_cursor(PollCursor { cursor_at: at, modified_supported: Some(false) }).await?;
                }
                other => return other,
            }
        }
        self.by_open_tasks().await
    }

    async fn by_modified(&self, cursor: Option<&PollCursor>) -> Result<ReconcileReport, PollError> {
        let started = now_millis();
        let system = self.system();
        let since = match cursor {
            Some(c) => c.cursor_at,
            None => self.engine.read(move |s| s.oldest_open_created(&system)).await?.unwrap_or(started),
        } - self.cfg.overlap.as_millis() as i64;
        let search = TaskSearch::new().modified_after(from_millis(since)).sort("modified");
        let mut report = ReconcileReport { path: Path::Modified, seen: 0, stored: 0, transitions: 0 };
        let mut newest: Option<i64> = None;
        let mut pages: Vec<Vec<Task>> = Vec::new();
        // Pages are collected first: the client's callback is synchronous, ingesting is not.
        self.client.search_pages(&search, |page| {
            pages.push(page);
            Ok(())
        })
        .await?;
        for page in pages {
            newest = page.iter().filter_map(|t| t.modified.map(to_millis)).chain(newest).max();
            self.ingest(page, &mut report).await?;
        }
        let prior = cursor.map(|c| c.cursor_at).unwrap_or(i64::MIN);
        let cursor_at = newest.unwrap_or(started - self.cfg.overlap.as_millis() as i64).max(prior);
        self.save_cursor(PollCursor { cursor_at, modified_supported: Some(true) }).await?;
        Ok(report)
    }

    async fn by_open_tasks(&self) -> Result<ReconcileReport, PollError> {
        let system = self.system();
        let ids = self.engine.read(move |s| s.open_task_ids(&system)).await?;
        let mut report = ReconcileReport { path: Path::OpenTasks, seen: 0, stored: 0, transitions: 0 };
        for batch in ids.chunks(self.cfg.parallel * 8) {
            let tasks: Vec<Option<Task>> = stream::iter(batch.iter().cloned())
                .map(|id| async move {
                    match self.client.read_task(&id).await {
                        Ok(t) => Ok(Some(t)),
                        // Gone from Canvas (or never there): nothing to learn.
                        Err(e) if e.is_not_found() => Ok(None),
                        Err(e) => Err(e),
                    }
                })
                .buffer_unordered(self.cfg.parallel)
                .try_collect()
                .await?;
            self.ingest(tasks.into_iter().flatten().collect(), &mut report).await?;
        }
        Ok(report)
    }

    async fn ingest(&self, tasks: Vec<Task>, report: &mut ReconcileReport) -> Result<(), PollError> {
        report.seen += tasks.len();
        let system = self.system();
        let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
        let known = self.engine.read(move |s| s.statuses(&system, &ids)).await?;
        let events: Vec<TaskEvent> = tasks.iter().map(|t| event_for(t, &known)).collect();
        for r in self.engine.ingest_all(events, false).await? {
            if !r.applied.duplicate {
                report.stored += 1;
            }
            if r.applied.transitioned() {
                report.transitions += 1;
            }
        }
        Ok(())
    }

    async fn save_cursor(&self, c: PollCursor) -> Result<(), EngineError> {
        let system = self.system();
        self.engine.write(move |s| s.set_poll_cursor(&system, &c)).await
    }

    /// Reconciles every `every`, and at once whenever `now` is notified (a socket reconnect),
    /// until `stop` turns true. Failures are logged and retried on the next turn.
    pub async fn run(&self, every: Duration, now: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        loop {
            match self.reconcile().await {
                Ok(r) if r.stored > 0 => tracing::info!(seen = r.seen, stored = r.stored, "reconciled with Canvas"),
                Ok(_) => tracing::debug!("reconciled with Canvas: nothing new"),
                Err(e) => tracing::warn!("reconcile failed: {e}"),
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = now.notified() => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
        }
    }
}

/// One event per observed state of a task: the key holds the status and Canvas's modified
/// time, so re-reading an unchanged task is a duplicate and costs nothing.
fn event_for(t: &Task, known: &HashMap<String, TaskStatus>) -> TaskEvent {
    let kind = match known.get(&t.id) {
        None => EventKind::Created,
        Some(prev) if *prev != t.status => EventKind::for_status(t.status),
        Some(_) => EventKind::Updated,
    };
    let modified = t.modified.map(|m| to_millis(m).to_string()).unwrap_or_else(|| "-".into());
    TaskEvent {
        delivery_key: format!("poll:{}:{}:{}", t.id, t.status.as_str(), modified),
        task: t.task_ref(),
        kind,
        source: Source::Poll,
        occurred_at: t.modified.unwrap_or_else(time::OffsetDateTime::now_utc),
        status: Some(t.status),
        actor: None,
        snapshot: TaskSnapshot::from(t),
        external_id: None,
    }
}

//! Polling and reconcile: asking the FHIR API what changed. Push alone loses events (Canvas
//! skips some task events, and a client that is not connected misses broadcasts), so this runs
//! after every (re)connect and on a slow timer even in live modes, and on its own timer in poll
//! mode.
//!
//! Two ways to find changes: `GET /Task?modified=gt<cursor>` paged by 100, else, where Canvas
//! refuses `modified` itself, reading every open task the store tracks, a bounded number at a
//! time. A 400 alone does not say which part of a search was refused: only when every spelling
//! of `modified` is refused and the same search without it is answered does the poller give
//! `modified` up; otherwise the 400 is an error of the cycle like any other.
//!
//! The cursor is a Canvas time, always: the newest `lastModified` seen, or before any, Canvas's
//! own `Date`. Results are not sorted (Canvas documents no sort by modification), so the cursor
//! moves only to the newest time over every page of a cycle. Every turn also reads the tasks a
//! hint asked about.
//!
//! Unlike the push receivers, which see the engine only as a [`Sink`](super::sink::Sink), the
//! poller takes the whole [`Engine`]: it reads the store (its cursor, the open tasks it tracks),
//! has the engine read the tasks hints named, and writes the cursor back.

use crate::backoff::Backoff;
use crate::canvas::{CanvasClient, CanvasError, TaskSearch};
use crate::engine::{Engine, EngineError};
use crate::store::PollCursor;
use crate::task::{Source, Task};
use crate::time_util::{from_millis, to_millis};
use futures_util::{stream, StreamExt, TryStreamExt};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio::sync::{watch, Notify};

/// The pause before a failed hint read is tried again: 4 s doubling to a minute.
const HINT_RETRY: Backoff = Backoff::new(Duration::from_secs(4), Duration::from_secs(60));

/// How long a Canvas that refused `modified` is read task by task before it is asked again.
const REPROBE_AFTER: Duration = Duration::from_secs(3600);

/// How many spellings [`modified_after`] has.
const SPELLINGS: usize = 3;

/// The spellings of "changed after t" tried in turn when Canvas refuses one with 400: the
/// documented one at full precision, whole seconds with an explicit offset, then the day.
fn modified_after(variant: usize, t: OffsetDateTime) -> TaskSearch {
    let secs = t.replace_nanosecond(0).unwrap_or(t);
    match variant {
        0 => TaskSearch::new().modified_after(t),
        1 => TaskSearch::new().modified_raw(format!(
            "gt{}",
            crate::time_util::format_offset_seconds(secs)
        )),
        _ => TaskSearch::new().modified_raw(format!("ge{}", t.date())),
    }
}

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
        PollConfig {
            parallel: 8,
            overlap: Duration::from_secs(120),
        }
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
    /// Which spelling of the `modified` search this Canvas took last.
    variant: Arc<AtomicUsize>,
    /// When this Canvas last refused `modified` itself.
    refused_at: Arc<Mutex<Option<Instant>>>,
}

impl Poller {
    pub fn new(engine: Engine, client: CanvasClient, cfg: PollConfig) -> Self {
        Poller {
            engine,
            client,
            cfg,
            variant: Arc::default(),
            refused_at: Arc::default(),
        }
    }

    fn modified_refused(&self) -> bool {
        let at = *self.refused_at.lock().unwrap_or_else(|p| p.into_inner());
        at.is_some_and(|t| t.elapsed() < REPROBE_AFTER)
    }

    fn system(&self) -> String {
        self.client.system().to_string()
    }

    /// Reads what changed, then this user's open tasks (found by owner, as Canvas documents,
    /// whatever their age: a `modified` search does not reach back to them).
    pub async fn reconcile(&self) -> Result<ReconcileReport, PollError> {
        let report = self.reconcile_changes().await?;
        if let Err(e) = self.engine.refresh_mine().await {
            tracing::info!("the tasks assigned to you could not be read: {e}");
        }
        Ok(report)
    }

    async fn reconcile_changes(&self) -> Result<ReconcileReport, PollError> {
        if let Err(e) = self.engine.read_hinted().await {
            tracing::info!("a task a push mentioned could not be read yet: {e}");
        }
        let system = self.system();
        let cursor = self.engine.read(move |s| s.poll_cursor(&system)).await?;
        if cursor.is_none() {
            // A first look at the open tasks Canvas has never described to this store: no
            // Canvas time says where to start looking for their changes.
            let system = self.system();
            let ids = self
                .engine
                .read(move |s| s.unconfirmed_open_ids(&system))
                .await?;
            self.read_each(
                ids,
                &mut ReconcileReport {
                    path: Path::OpenTasks,
                    seen: 0,
                    stored: 0,
                    transitions: 0,
                },
            )
            .await?;
        }
        if !self.modified_refused() {
            if let Some(report) = self.by_modified(cursor.as_ref()).await? {
                return Ok(report);
            }
            tracing::info!(
                "this Canvas does not search tasks by `modified`; reading open tasks instead"
            );
            *self.refused_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
            let at = match cursor.as_ref() {
                Some(c) => c.cursor_at,
                None => to_millis(self.client.canvas_time().await?),
            };
            self.save_cursor(PollCursor {
                cursor_at: at,
                modified_supported: Some(false),
            })
            .await?;
        }
        self.by_open_tasks().await
    }

    /// Every page of one `modified` search, trying the next spelling when Canvas refuses one;
    /// `None` when Canvas refuses `modified` itself.
    async fn search_modified(
        &self,
        since: OffsetDateTime,
    ) -> Result<Option<Vec<Vec<Task>>>, PollError> {
        let mut refusal = None;
        for variant in self.variant.load(Ordering::Relaxed)..SPELLINGS {
            let search = modified_after(variant, since);
            let mut pages: Vec<Vec<Task>> = Vec::new();
            // Pages are collected first: the client's callback is synchronous, ingesting is not.
            match self
                .client
                .search_pages(&search, |page| {
                    pages.push(page);
                    Ok(())
                })
                .await
            {
                Ok(_) => {
                    self.variant.store(variant, Ordering::Relaxed);
                    return Ok(Some(pages));
                }
                Err(e) if e.status() == Some(400) => {
                    tracing::debug!(variant, "Canvas refused this spelling of `modified`: {e}");
                    refusal.get_or_insert(e);
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.variant.store(0, Ordering::Relaxed);
        // The 400s may be about anything else in the request (`_count`, a rule of a proxy in
        // front of Canvas): the same search without `modified` tells whether it is the cause.
        match self.client.search_first_page(&TaskSearch::new(), 1).await {
            Ok(_) => {
                if let Some(e) = refusal {
                    tracing::info!("Canvas refuses `modified` ({e}) and takes a search without it");
                }
                Ok(None)
            }
            Err(e) if e.status() == Some(400) => Err(refusal.unwrap_or(e).into()),
            Err(e) => Err(e.into()),
        }
    }

    /// `None` when Canvas refuses `modified` itself.
    async fn by_modified(
        &self,
        cursor: Option<&PollCursor>,
    ) -> Result<Option<ReconcileReport>, PollError> {
        let overlap = i64::try_from(self.cfg.overlap.as_millis()).unwrap_or(0);
        // Before any change was seen: Canvas's own clock says where "now" is, and the open
        // tasks already tracked say how far back their last known state goes.
        let start = match cursor {
            Some(c) => c.cursor_at,
            None => {
                let system = self.system();
                let oldest = self
                    .engine
                    .read(move |s| s.oldest_open_modified(&system))
                    .await?;
                let now = to_millis(self.client.canvas_time().await?);
                oldest.map_or(now, |o| o.min(now))
            }
        };
        let Some(pages) = self.search_modified(from_millis(start - overlap)).await? else {
            return Ok(None);
        };
        let mut report = ReconcileReport {
            path: Path::Modified,
            seen: 0,
            stored: 0,
            transitions: 0,
        };
        let mut newest = start;
        for page in pages {
            newest = page
                .iter()
                .filter_map(|t| t.modified.map(to_millis))
                .fold(newest, i64::max);
            self.ingest(page, &mut report).await?;
        }
        self.save_cursor(PollCursor {
            cursor_at: newest,
            modified_supported: Some(true),
        })
        .await?;
        Ok(Some(report))
    }

    async fn by_open_tasks(&self) -> Result<ReconcileReport, PollError> {
        let system = self.system();
        let ids = self.engine.read(move |s| s.open_task_ids(&system)).await?;
        let mut report = ReconcileReport {
            path: Path::OpenTasks,
            seen: 0,
            stored: 0,
            transitions: 0,
        };
        self.read_each(ids, &mut report).await?;
        Ok(report)
    }

    /// Reads `ids` one by one, a bounded number at a time, and ingests what Canvas says.
    async fn read_each(
        &self,
        ids: Vec<String>,
        report: &mut ReconcileReport,
    ) -> Result<(), PollError> {
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
            self.ingest(tasks.into_iter().flatten().collect(), report)
                .await?;
        }
        Ok(())
    }

    async fn ingest(
        &self,
        tasks: Vec<Task>,
        report: &mut ReconcileReport,
    ) -> Result<(), PollError> {
        report.seen += tasks.len();
        for r in self.engine.ingest_read(tasks, Source::Poll).await? {
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
        self.engine
            .write(move |s| s.set_poll_cursor(&system, &c))
            .await
    }

    /// Reconciles every `every`, and at once whenever `now` is notified (a socket reconnect);
    /// reads what hints ask about as they come, again after a growing pause while Canvas cannot
    /// be reached; until `stop` turns true. Failures are logged and retried on the next turn.
    ///
    /// Only the waiting is raced: a reconcile or a read, once begun, runs to its end, since
    /// one cut short after its commit would store a change without announcing it.
    pub async fn run(&self, every: Duration, now: Arc<Notify>, mut stop: watch::Receiver<bool>) {
        let mut next_reconcile = tokio::time::Instant::now();
        let mut hint_failures = 0u32;
        loop {
            let retry_hints = HINT_RETRY.delay(hint_failures.saturating_sub(1));
            let turn = tokio::select! {
                _ = tokio::time::sleep_until(next_reconcile) => Turn::Reconcile,
                _ = now.notified() => Turn::Reconcile,
                _ = self.engine.hinted() => Turn::Hints,
                _ = tokio::time::sleep(retry_hints), if hint_failures > 0 => Turn::Hints,
                _ = stop.changed() => return,
            };
            if *stop.borrow() {
                return;
            }
            match turn {
                Turn::Reconcile => {
                    match self.reconcile().await {
                        Ok(r) if r.stored > 0 => tracing::info!(
                            seen = r.seen,
                            stored = r.stored,
                            "reconciled with Canvas"
                        ),
                        Ok(_) => tracing::debug!("reconciled with Canvas: nothing new"),
                        Err(e) => tracing::warn!("reconcile failed: {e}"),
                    }
                    next_reconcile = tokio::time::Instant::now() + every;
                }
                Turn::Hints => match self.engine.read_hinted().await {
                    Ok(_) => hint_failures = 0,
                    Err(e) => {
                        tracing::info!("a task a push mentioned could not be read yet: {e}");
                        hint_failures = hint_failures.saturating_add(1);
                    }
                },
            }
        }
    }
}

/// What woke the poller.
enum Turn {
    Reconcile,
    Hints,
}

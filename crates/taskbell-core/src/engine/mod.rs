//! The one pipeline: every change, from any source, goes through [`Engine::ingest`]; every task
//! the user asks for goes through [`Engine::create`].
//!
//! ```text
//! source -> TaskEvent -> ingest -> writer (dedupe + upsert, grouped commit)
//!                                    | only on a real status transition
//!                                    +-> Notifier   +-> UI event
//! ```

mod create;
mod hints;
mod prefs;
mod writer;

pub use create::{CreateOutcome, OutboxReport};
pub use prefs::{NotifyPrefs, NotifyScope};
pub use writer::WriteError;

use crate::canvas::CanvasClient;
use crate::notify::{compose, Notification, Notifier};
use crate::store::{Applied, ApplyCtx, Store, StoreError, TaskRow, Unannounced};
use crate::task::{EventKind, TaskEvent, TaskRef, TaskStatus};
use crate::time_util::Clock;
use serde::Serialize;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;
use tokio::sync::broadcast;
use writer::Writer;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no Canvas connection is configured")]
    NoCanvas,
    #[error(transparent)]
    Canvas(#[from] crate::canvas::CanvasError),
    #[error("{0}")]
    Invalid(String),
}

/// What the window hears, so it can refresh without polling the database.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UiEvent {
    TaskChanged {
        task: TaskRef,
        kind: EventKind,
        status: TaskStatus,
        previous: Option<TaskStatus>,
    },
    OutboxChanged {
        local_id: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ingested {
    pub applied: Applied,
    pub notified: bool,
}

/// Whether notifications are held back (events are stored all the same).
#[derive(Debug, Clone, Copy)]
enum Silence {
    Off,
    Until(Instant),
    UntilResumed,
}

struct Shared {
    writer: Writer,
    reader: Mutex<Store>,
    notifier: Arc<dyn Notifier>,
    ui: broadcast::Sender<UiEvent>,
    prefs: RwLock<NotifyPrefs>,
    me: RwLock<Option<String>>,
    silence: RwLock<Silence>,
    canvas: RwLock<Option<CanvasClient>>,
    outbox_kick: tokio::sync::Notify,
    /// Raised when a hint queued a task to be read from Canvas.
    hints: tokio::sync::Notify,
    clock: Clock,
    /// The newest event when this engine opened the database; 0 once pending ones were announced.
    events_at_open: std::sync::atomic::AtomicI64,
}

#[derive(Clone)]
pub struct Engine {
    shared: Arc<Shared>,
}

impl Engine {
    /// Opens the database at `path` and starts the writer.
    pub fn open(path: &Path, notifier: Arc<dyn Notifier>) -> Result<Engine, EngineError> {
        Engine::open_with_clock(path, notifier, Clock::system())
    }

    /// As [`Engine::open`], with the desktop's clock given: tests set it off true time.
    pub fn open_with_clock(
        path: &Path,
        notifier: Arc<dyn Notifier>,
        clock: Clock,
    ) -> Result<Engine, EngineError> {
        let (writer, _thread) = Writer::start(Store::open(path)?);
        let reader = Store::open_read_only(path)?;
        let events_at_open = std::sync::atomic::AtomicI64::new(reader.last_event()?);
        let (ui, _) = broadcast::channel(1024);
        Ok(Engine {
            shared: Arc::new(Shared {
                writer,
                reader: Mutex::new(reader),
                notifier,
                ui,
                prefs: RwLock::new(NotifyPrefs::default()),
                me: RwLock::new(None),
                silence: RwLock::new(Silence::Off),
                canvas: RwLock::new(None),
                outbox_kick: tokio::sync::Notify::new(),
                hints: tokio::sync::Notify::new(),
                clock,
                events_at_open,
            }),
        })
    }

    pub fn set_prefs(&self, prefs: NotifyPrefs) {
        *write_lock(&self.shared.prefs) = prefs;
    }

    pub fn prefs(&self) -> NotifyPrefs {
        read_lock(&self.shared.prefs).clone()
    }

    /// This user's practitioner id, for "tasks I requested or am assigned".
    pub fn set_me(&self, practitioner: Option<String>) {
        *write_lock(&self.shared.me) = practitioner;
    }

    pub fn set_canvas(&self, client: Option<CanvasClient>) {
        *write_lock(&self.shared.canvas) = client;
        self.shared.outbox_kick.notify_one();
    }

    pub fn canvas(&self) -> Option<CanvasClient> {
        read_lock(&self.shared.canvas).clone()
    }

    /// The desktop's clock, as this engine reads it.
    pub fn clock(&self) -> Clock {
        self.shared.clock
    }

    /// Silences notifications until `until` (`None`: until resumed). Events are still stored.
    pub fn pause_notifications(&self, until: Option<Instant>) {
        *write_lock(&self.shared.silence) = match until {
            Some(t) => Silence::Until(t),
            None => Silence::UntilResumed,
        };
    }

    pub fn resume_notifications(&self) {
        *write_lock(&self.shared.silence) = Silence::Off;
    }

    pub fn notifications_paused(&self) -> bool {
        match *read_lock(&self.shared.silence) {
            Silence::Off => false,
            Silence::UntilResumed => true,
            Silence::Until(until) => Instant::now() < until,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<UiEvent> {
        self.shared.ui.subscribe()
    }

    /// Reads on a connection of its own, off the async threads.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, EngineError> {
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || {
            let store = shared.reader.lock().unwrap_or_else(|p| p.into_inner());
            f(&store)
        })
        .await
        .map_err(|e| EngineError::Invalid(format!("a read failed: {e}")))?
        .map_err(EngineError::from)
    }

    /// Runs `f` through the single writer, committed with whatever else is queued.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, EngineError> {
        Ok(self.shared.writer.write(f).await?)
    }

    pub async fn ingest(&self, event: TaskEvent) -> Result<Ingested, EngineError> {
        Ok(self.ingest_all(vec![event]).await?.remove(0))
    }

    /// Stores `events` in one job (and one commit with whatever else is queued), then notifies
    /// for each real transition. Returns once everything is durable.
    pub async fn ingest_all(&self, events: Vec<TaskEvent>) -> Result<Vec<Ingested>, EngineError> {
        self.ingest_as(events, false).await
    }

    /// As [`Engine::ingest_all`], for tasks this Taskbell created: they are marked as the user's.
    pub async fn ingest_created(
        &self,
        events: Vec<TaskEvent>,
    ) -> Result<Vec<Ingested>, EngineError> {
        self.ingest_as(events, true).await
    }

    async fn ingest_as(
        &self,
        events: Vec<TaskEvent>,
        mine: bool,
    ) -> Result<Vec<Ingested>, EngineError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let events = Arc::new(events);
        let job_events = events.clone();
        let readable = self.canvas().map(|c| c.system().to_string());
        let received_at = self.shared.clock.now_millis();
        let audience = self.audience();
        let results = self
            .shared
            .writer
            .write(move |store| {
                let ctx = ApplyCtx {
                    mine,
                    received_at,
                    readable: readable.as_deref(),
                };
                let mut out = Vec::with_capacity(job_events.len());
                for e in job_events.iter() {
                    let applied = store.apply_event(e, &ctx)?;
                    // Marked in the same transaction: stored and to be announced, or neither.
                    let announce = match (&applied.row, applied.event) {
                        (Some(row), Some(event))
                            if applied.transitioned() && audience.wants(row) =>
                        {
                            store.mark_to_announce(event)?;
                            true
                        }
                        _ => false,
                    };
                    out.push((applied, announce));
                }
                Ok(out)
            })
            .await?;
        if results.iter().any(|(a, _)| a.hint) {
            self.shared.hints.notify_one();
        }
        Ok(events
            .iter()
            .zip(results)
            .map(|(e, (applied, announce))| self.after_commit(e, applied, announce))
            .collect())
    }

    fn after_commit(&self, e: &TaskEvent, applied: Applied, announce: bool) -> Ingested {
        if applied.duplicate || applied.stale || applied.hint {
            return Ingested {
                applied,
                notified: false,
            };
        }
        let _ = self.shared.ui.send(UiEvent::TaskChanged {
            task: e.task.clone(),
            kind: e.kind,
            status: applied.current,
            previous: applied.previous,
        });
        if let (true, Some(row), Some(event)) = (announce, &applied.row, applied.event) {
            self.announce(Unannounced {
                event,
                actor: e.actor.clone(),
                row: row.clone(),
            });
        }
        Ingested {
            applied,
            notified: announce,
        }
    }

    /// Who is to hear of a transition now: the preferences, this user, and whether notifications
    /// are paused, taken once for a whole group.
    fn audience(&self) -> Audience {
        Audience {
            prefs: self.prefs(),
            me: read_lock(&self.shared.me).clone(),
            paused: self.notifications_paused(),
        }
    }

    /// Shows the notification, off the async threads (D-Bus calls block), then clears the mark.
    fn announce(&self, u: Unannounced) {
        let prefs = self.prefs();
        // What the user hears about is the move itself, whatever the event was called: a comment
        // that arrives after a lost completion push still brings the completion.
        let kind = EventKind::for_status(u.row.status);
        let n: Notification = compose(
            &u.row,
            kind,
            actor_name(u.actor.as_deref(), &u.row),
            prefs.show_patient,
        );
        let (notifier, engine) = (self.shared.notifier.clone(), self.clone());
        tokio::spawn(async move {
            let shown = tokio::task::spawn_blocking(move || notifier.show(&n)).await;
            match shown {
                Ok(Err(err)) => tracing::warn!("{err}"),
                Err(err) => tracing::warn!("the notification could not be shown: {err}"),
                Ok(Ok(())) => {}
            }
            if let Err(err) = engine.write(move |s| s.announced(u.event)).await {
                tracing::warn!("a shown notification could not be recorded as shown: {err}");
            }
        });
    }

    /// Announces what was stored but not yet announced when Taskbell last stopped (it was killed
    /// between the commit and the notification). Only events older than this engine count: a
    /// newer one's announcement may be under way. Does its work once; later calls find nothing.
    pub async fn announce_pending(&self) -> Result<usize, EngineError> {
        let up_to = self
            .shared
            .events_at_open
            .swap(0, std::sync::atomic::Ordering::SeqCst);
        if up_to == 0 {
            return Ok(0);
        }
        let pending = self.read(move |s| s.unannounced(up_to)).await?;
        let n = pending.len();
        for u in pending {
            self.announce(u);
        }
        Ok(n)
    }
}

/// Who is to hear of a transition.
struct Audience {
    prefs: NotifyPrefs,
    me: Option<String>,
    paused: bool,
}

impl Audience {
    fn wants(&self, row: &TaskRow) -> bool {
        !self.paused
            && self
                .prefs
                .wants(EventKind::for_status(row.status), row, self.me.as_deref())
    }
}

/// The actor's name when the store knows it: sources name actors by id, and the one id with a
/// name at hand is the assignee's (who usually is the one completing the task).
fn actor_name<'a>(actor: Option<&str>, row: &'a TaskRow) -> Option<&'a str> {
    let actor = actor?;
    (row.assignee_id.as_deref() == Some(actor))
        .then_some(row.assignee_name.as_deref())
        .flatten()
}

fn read_lock<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|p| p.into_inner())
}

fn write_lock<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::Engine;
    use crate::notify::MemoryNotifier;
    use std::sync::Arc;

    /// The engine's one writing connection commits durably; its reader cannot write.
    #[tokio::test]
    async fn the_writer_is_durable_and_the_reader_reads_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let engine = Engine::open(
            &dir.path().join("t.db"),
            Arc::new(MemoryNotifier::default()),
        )
        .expect("engine");
        let (mode, sync) = engine.write(|s| s.durability()).await.expect("pragma");
        assert_eq!(
            (mode.as_str(), sync),
            ("wal", 2),
            "WAL with synchronous=FULL"
        );
        let cursor = crate::store::PollCursor {
            cursor_at: 1,
            modified_supported: None,
        };
        let refused = engine
            .read(move |s| s.set_poll_cursor("sandbox", &cursor))
            .await;
        assert!(refused.is_err(), "the reader refused a write");
    }
}

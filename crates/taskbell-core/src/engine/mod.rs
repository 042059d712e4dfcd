//! The one pipeline: every change, from any source, goes through [`Engine::ingest`]; every task
//! the user asks for goes through [`Engine::create`].
//!
//! ```text
//! source -> TaskEvent -> ingest -> writer (dedupe + upsert, grouped commit)
//!                                    | only on a real status transition
//!                                    +-> Notifier   +-> UI event
//! ```

mod act;
mod audience;
mod create;
mod for_me;
mod hints;
mod notices;
mod prefs;
mod reminders;
mod writer;

pub use act::ActOutcome;
pub use create::{CreateOutcome, OutboxReport};
pub use prefs::{minute_of_day, NotifyPrefs, NotifyScope, QuietHours};
pub use writer::WriteError;

use crate::canvas::CanvasClient;
use crate::notify::Notifier;
use crate::store::{Applied, ApplyCtx, Store, StoreError};
use crate::task::{EventKind, TaskEvent, TaskRef, TaskStatus};
use crate::time_util::Clock;
use audience::Written;
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
    /// The task changed in Canvas so that an action no longer makes sense; nothing was changed.
    #[error("{0}")]
    Refused(String),
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
    /// A notice was written or read: the unread count may have changed.
    NoticesChanged,
    /// The preferences changed: the next reminder, and whose tasks are "for me", may too.
    PrefsChanged,
}

/// Whether a change may be announced: not when the user made it from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Told {
    Announce,
    Quiet,
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
    /// The newest notice when this engine opened the database; 0 once pending ones were shown.
    notices_at_open: std::sync::atomic::AtomicI64,
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
        let notices_at_open = std::sync::atomic::AtomicI64::new(reader.last_notice()?);
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
                notices_at_open,
            }),
        })
    }

    pub fn set_prefs(&self, prefs: NotifyPrefs) {
        *write_lock(&self.shared.prefs) = prefs;
        let _ = self.shared.ui.send(UiEvent::PrefsChanged);
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
        self.ingest_as(events, false, Told::Announce).await
    }

    /// As [`Engine::ingest_all`], for tasks this Taskbell created: they are marked as the user's.
    pub async fn ingest_created(
        &self,
        events: Vec<TaskEvent>,
    ) -> Result<Vec<Ingested>, EngineError> {
        self.ingest_as(events, true, Told::Announce).await
    }

    /// What Canvas said after this user's own action: stored like any read, never announced
    /// to the person who just did it.
    pub(crate) async fn ingest_own_action(
        &self,
        task: crate::task::Task,
    ) -> Result<(), EngineError> {
        let (system, id) = (task.system.clone(), task.id.clone());
        let known = self.read(move |s| s.statuses(&system, &[id])).await?;
        let event = TaskEvent::from_read(
            &task,
            known.get(&task.id).copied(),
            crate::task::Source::Api,
        );
        self.ingest_as(vec![event], false, Told::Quiet)
            .await
            .map(|_| ())
    }

    async fn ingest_as(
        &self,
        events: Vec<TaskEvent>,
        mine: bool,
        told: Told,
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
                    // Written in the same transaction: stored and to be announced, or neither.
                    let notice = match (told, applied.event) {
                        (Told::Announce, Some(event)) => {
                            audience.notice(store, e, &applied, event, received_at)?
                        }
                        _ => None,
                    };
                    out.push((applied, notice));
                }
                Ok(out)
            })
            .await?;
        if results.iter().any(|(a, _)| a.hint) {
            self.shared.hints.notify_one();
        }
        if results.iter().any(|(_, n)| n.is_some()) {
            let _ = self.shared.ui.send(UiEvent::NoticesChanged);
        }
        Ok(events
            .iter()
            .zip(results)
            .map(|(e, (applied, notice))| self.after_commit(e, applied, notice))
            .collect())
    }

    fn after_commit(&self, e: &TaskEvent, applied: Applied, notice: Option<Written>) -> Ingested {
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
        let notified = match notice {
            Some(Written::Popup(id, n)) => {
                self.show(id, n);
                true
            }
            _ => false,
        };
        Ingested { applied, notified }
    }
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

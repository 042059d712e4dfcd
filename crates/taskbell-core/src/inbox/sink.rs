//! What the push receivers (the webhook endpoint, the plugin channel client) need from the
//! engine, and no more: somewhere to put an event that answers once the event is durable, and
//! the clocks a sender's timestamp is held against.
//!
//! Narrow so that a receiver cannot reach past the pipeline (read the store, call Canvas), and
//! so that its own rules (authentication, refusals, limits, frames) are tested without a
//! database, against [`MemorySink`]. The poller is not a push receiver: it reads the store and
//! Canvas, so it keeps the whole [`Engine`].

use crate::engine::Engine;
use crate::task::TaskEvent;
use crate::time_util::Clock;
use futures_util::future::BoxFuture;
use std::collections::HashSet;
use std::error::Error;
use std::sync::{Arc, Mutex, MutexGuard};
use time::OffsetDateTime;
use tokio::sync::watch;

/// Where the push receivers put what they hear. [`Engine`] is the one the app uses.
pub trait Sink: Send + Sync {
    /// Puts `event` through the pipeline. Resolves once the event is durable and not before:
    /// a receiver tells its sender "stored" on `Ok`, and only then.
    fn ingest(&self, event: TaskEvent) -> BoxFuture<'_, Result<Receipt, NotStored>>;

    /// Canvas's clock now, as its latest answer gave it; `None` before Canvas has answered, or
    /// when no Canvas is configured.
    fn canvas_now(&self) -> Option<OffsetDateTime>;

    /// The desktop's clock now, as the engine reads it.
    fn desktop_now(&self) -> OffsetDateTime;
}

/// What became of an event that is now durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// Seen before (a sender's retry, a push and its reconcile): nothing new was stored.
    pub duplicate: bool,
    /// The user was told about it; for the log.
    pub notified: bool,
}

/// Why an event was not stored. Its words are for our log only: a sender hears "try again".
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct NotStored(Box<dyn Error + Send + Sync>);

impl NotStored {
    pub fn new(reason: impl Into<Box<dyn Error + Send + Sync>>) -> Self {
        NotStored(reason.into())
    }
}

impl Sink for Engine {
    fn ingest(&self, event: TaskEvent) -> BoxFuture<'_, Result<Receipt, NotStored>> {
        Box::pin(async move {
            let done = Engine::ingest(self, event).await.map_err(NotStored::new)?;
            Ok(Receipt {
                duplicate: done.applied.duplicate,
                notified: done.notified,
            })
        })
    }

    fn canvas_now(&self) -> Option<OffsetDateTime> {
        self.canvas().and_then(|c| c.canvas_now())
    }

    fn desktop_now(&self) -> OffsetDateTime {
        self.clock().now()
    }
}

/// So that a caller can keep its own handle on the sink it gives a receiver.
impl<S: Sink + ?Sized> Sink for Arc<S> {
    fn ingest(&self, event: TaskEvent) -> BoxFuture<'_, Result<Receipt, NotStored>> {
        (**self).ingest(event)
    }

    fn canvas_now(&self) -> Option<OffsetDateTime> {
        (**self).canvas_now()
    }

    fn desktop_now(&self) -> OffsetDateTime {
        (**self).desktop_now()
    }
}

/// Keeps what it is given, in memory, and dedupes as the store does (by system, task and
/// delivery key). Tests of the receivers use it where storage is not what they test; it can be
/// made to fail like a store that cannot commit, to hold its answers like a slow commit, and to
/// read clocks set off true time.
pub struct MemorySink {
    memory: Mutex<Memory>,
    held: watch::Sender<bool>,
}

#[derive(Default)]
struct Memory {
    events: Vec<TaskEvent>,
    seen: HashSet<(String, String, String)>,
    offered: usize,
    failing: bool,
    canvas: Option<Clock>,
    desktop: Clock,
}

impl Default for MemorySink {
    fn default() -> Self {
        MemorySink {
            memory: Mutex::new(Memory::default()),
            held: watch::Sender::new(false),
        }
    }
}

impl MemorySink {
    pub fn new() -> Self {
        MemorySink::default()
    }

    /// The events stored, in the order they came; a duplicate is not stored again.
    pub fn events(&self) -> Vec<TaskEvent> {
        self.lock().events.clone()
    }

    /// How many times [`Sink::ingest`] was called, whatever became of the event.
    pub fn offered(&self) -> usize {
        self.lock().offered
    }

    /// While `true`, every event is refused as by a store that cannot commit.
    pub fn set_failing(&self, failing: bool) {
        self.lock().failing = failing;
    }

    /// While `true`, every ingest waits unanswered, as behind a slow commit.
    pub fn set_held(&self, held: bool) {
        self.held.send_replace(held);
    }

    /// Canvas's clock; `None` plays a Canvas that has not answered yet.
    pub fn set_canvas_clock(&self, clock: Option<Clock>) {
        self.lock().canvas = clock;
    }

    pub fn set_desktop_clock(&self, clock: Clock) {
        self.lock().desktop = clock;
    }

    fn lock(&self) -> MutexGuard<'_, Memory> {
        self.memory.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Sink for MemorySink {
    fn ingest(&self, event: TaskEvent) -> BoxFuture<'_, Result<Receipt, NotStored>> {
        Box::pin(async move {
            self.lock().offered += 1;
            let mut held = self.held.subscribe();
            // The sender is never dropped while `self` lives, so this cannot fail.
            let _ = held.wait_for(|held| !*held).await;
            let mut memory = self.lock();
            if memory.failing {
                return Err(NotStored::new("the memory sink is set to fail"));
            }
            let key = (
                event.task.system.clone(),
                event.task.id.clone(),
                event.delivery_key.clone(),
            );
            let duplicate = !memory.seen.insert(key);
            if !duplicate {
                memory.events.push(event);
            }
            Ok(Receipt {
                duplicate,
                notified: false,
            })
        })
    }

    fn canvas_now(&self) -> Option<OffsetDateTime> {
        self.lock().canvas.map(|c| c.now())
    }

    fn desktop_now(&self) -> OffsetDateTime {
        self.lock().desktop.now()
    }
}

//! What every handler shares: the clinic, the tasks, the knobs, the token book and the push
//! outlets. Locks are std mutexes held only for in-memory work, never across an await.

use std::sync::{Arc, Mutex, MutexGuard};

use time::OffsetDateTime;
use tokio::sync::{broadcast, mpsc, watch};

use crate::auth::TokenBook;
use crate::clinic::Directory;
use crate::config::SandboxConfig;
use crate::handout::ReassignTurn;
use crate::knobs::Knobs;
use crate::relay::{self, Change, Push};
use crate::store::{Store, TaskRecord};

#[derive(Clone)]
pub(crate) struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: SandboxConfig,
    base_url: String,
    dir: Directory,
    store: Mutex<Store>,
    knobs: Knobs,
    tokens: TokenBook,
    sockets: broadcast::Sender<Arc<str>>,
    webhooks: Option<mpsc::UnboundedSender<Push>>,
    shutdown: watch::Receiver<bool>,
    reassign_turn: ReassignTurn,
}

pub(crate) struct Outlets {
    pub webhooks: Option<mpsc::UnboundedSender<Push>>,
    pub shutdown: watch::Receiver<bool>,
}

impl AppState {
    /// `knobs` are made by the caller because the webhook sender, started first, reads their
    /// clock too.
    pub fn new(config: SandboxConfig, base_url: String, knobs: Knobs, outlets: Outlets) -> Self {
        let dir = if config.seed_clinic {
            Directory::seeded()
        } else {
            Directory::minimal()
        };
        // Slow clients lag and skip messages rather than hold memory; reconcile covers them.
        let (sockets, _) = broadcast::channel(1024);
        AppState {
            inner: Arc::new(Inner {
                config,
                base_url,
                dir,
                store: Mutex::new(Store::default()),
                knobs,
                tokens: TokenBook::default(),
                sockets,
                webhooks: outlets.webhooks,
                shutdown: outlets.shutdown,
                reassign_turn: ReassignTurn::default(),
            }),
        }
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.inner.config
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    pub fn fhir_base(&self) -> String {
        format!("{}/fhir", self.inner.base_url)
    }

    pub fn directory(&self) -> &Directory {
        &self.inner.dir
    }

    pub fn knobs(&self) -> &Knobs {
        &self.inner.knobs
    }

    /// Now on the sandbox's clock (see [`Knobs::set_clock_offset`]).
    pub fn now(&self) -> OffsetDateTime {
        self.inner.knobs.clock().now()
    }

    pub fn tokens(&self) -> &TokenBook {
        &self.inner.tokens
    }

    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.inner.shutdown.clone()
    }

    pub fn reassign_turn(&self) -> &ReassignTurn {
        &self.inner.reassign_turn
    }

    pub fn subscribe_sockets(&self) -> broadcast::Receiver<Arc<str>> {
        self.inner.sockets.subscribe()
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        // A handler that panicked mid-change leaves at worst one half-updated task; a sandbox
        // that keeps serving is more useful to a test run than one that poisons every call.
        self.inner
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn task_snapshot(&self, id: &str) -> Option<TaskRecord> {
        self.store().get(id).cloned()
    }

    /// Pushes the changes of one task on every channel. Called with the store lock held, so
    /// pushes leave in the order the changes were made.
    pub fn emit(&self, task: &TaskRecord, changes: &[Change]) {
        let knobs = &self.inner.knobs;
        if knobs.drop_pushes() {
            return;
        }
        let envelope = knobs.socket_envelope();
        let copies = if knobs.duplicate_pushes() { 2 } else { 1 };
        let now = self.now();
        for change in changes {
            let push = relay::build(task, change, now, &self.inner.dir, &self.inner.base_url);
            tracing::debug!(task = %task.id, event = change.kind.as_str(), "push");
            let frame: Arc<str> = if envelope {
                Arc::from(format!("{{\"message\":{}}}", push.body))
            } else {
                Arc::from(push.body.as_str())
            };
            for _ in 0..copies {
                // No subscriber is not an error: a client that is not connected misses the push.
                let _ = self.inner.sockets.send(frame.clone());
                if let Some(webhooks) = &self.inner.webhooks {
                    let _ = webhooks.send(push.clone());
                }
            }
        }
    }
}

//! Everything that runs while Taskbell runs, started and stopped as one: the engine, the
//! receiver the user chose, the reconcile timer and the outbox. The desktop shell and the CLI
//! both start a [`Runtime`]; neither wires receivers itself.
//!
//! The loops that should live as long as the runtime (the poller, the outbox, the plugin
//! channel) run under a [`Supervisor`]: one that ends early is restarted, and
//! [`Runtime::incidents`] says so.

use crate::backoff::Backoff;
use crate::canvas::{CanvasClient, CanvasConfig, CanvasError};
use crate::engine::{Engine, EngineError};
use crate::inbox::poll::{PollConfig, Poller};
use crate::inbox::socket::{SocketClient, SocketConfig, SocketError, SocketState};
use crate::inbox::webhook::{self, WebhookConfig, WebhookError, WebhookServer};
use crate::status::incident_words;
use crate::supervisor::{Incident, Supervisor, RESTART_BACKOFF};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// How Taskbell hears of changes.
#[derive(Debug, Clone)]
pub enum Receive {
    /// The companion plugin's WebSocket channel (full URL without the key) and its api key.
    Live { url: String, api_key: String },
    /// The local webhook endpoint, fed by the plugin through a tunnel.
    Webhook(WebhookConfig),
    /// Only the FHIR poller.
    Poll,
}

#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// `None`: no Canvas to ask (a webhook-only receiver); polling and creating are off.
    pub canvas: Option<CanvasConfig>,
    pub receive: Receive,
    /// The poll timer in poll mode.
    pub poll_every: Duration,
    /// The reconcile timer in live modes: push is never trusted alone.
    pub reconcile_every: Duration,
    pub outbox_every: Duration,
    /// The wait before restarting a background task that ended on its own.
    pub restart_backoff: Backoff,
}

impl RuntimeConfig {
    pub fn new(canvas: Option<CanvasConfig>, receive: Receive) -> Self {
        RuntimeConfig {
            canvas,
            receive,
            poll_every: Duration::from_secs(30),
            reconcile_every: Duration::from_secs(300),
            outbox_every: Duration::from_secs(30),
            restart_backoff: RESTART_BACKOFF,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error(transparent)]
    Canvas(#[from] CanvasError),
    #[error(transparent)]
    Webhook(#[from] WebhookError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Socket(#[from] SocketError),
}

pub struct Runtime {
    engine: Engine,
    system: String,
    webhook: Option<WebhookServer>,
    socket: Option<watch::Receiver<SocketState>>,
    receive_words: String,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    reconcile_now: Arc<Notify>,
    incidents: watch::Receiver<Vec<Incident>>,
}

impl Runtime {
    pub async fn start(engine: Engine, cfg: RuntimeConfig) -> Result<Runtime, RuntimeError> {
        let (stop, stop_rx) = watch::channel(false);
        let supervisor = Supervisor::new(stop_rx.clone(), cfg.restart_backoff);
        let reconcile_now = Arc::new(Notify::new());
        let client = cfg.canvas.clone().map(CanvasClient::new).transpose()?;
        engine.set_canvas(client.clone());
        // What a previous run stored but was stopped before announcing.
        let pending = engine.clone();
        tokio::spawn(async move {
            if let Err(e) = pending.announce_pending().await {
                tracing::warn!("notifications left from the last run could not be shown: {e}");
            }
        });
        let system = client
            .as_ref()
            .map(|c| c.system().to_string())
            .unwrap_or_else(|| match &cfg.receive {
                Receive::Webhook(w) => w.system.clone(),
                _ => "canvas".into(),
            });
        let mut tasks = Vec::new();
        let mut webhook_server = None;
        let mut socket = None;
        let receive_words = match &cfg.receive {
            Receive::Webhook(w) => {
                let server = webhook::start(w.clone(), engine.clone()).await?;
                let words = format!("webhook on {}", server.local_url());
                webhook_server = Some(server);
                words
            }
            Receive::Live { url, api_key } => {
                let socket_cfg = SocketConfig::new(&system, url, api_key)?;
                let (state, state_rx) = watch::channel(SocketState::Connecting);
                let (engine, now, stop) = (engine.clone(), reconcile_now.clone(), stop_rx.clone());
                tasks.push(supervisor.spawn("the plugin channel", move || {
                    SocketClient::new(socket_cfg.clone(), engine.clone(), now.clone())
                        .run(state.clone(), stop.clone())
                }));
                socket = Some(state_rx);
                "live".to_string()
            }
            Receive::Poll => format!("polling every {} s", cfg.poll_every.as_secs()),
        };
        if let Some(client) = client {
            let poller = Poller::new(engine.clone(), client, PollConfig::default());
            let every = if matches!(cfg.receive, Receive::Poll) {
                cfg.poll_every
            } else {
                cfg.reconcile_every
            };
            let (now, stop) = (reconcile_now.clone(), stop_rx.clone());
            tasks.push(supervisor.spawn("the poller", move || {
                let (poller, now, stop) = (poller.clone(), now.clone(), stop.clone());
                async move { poller.run(every, now, stop).await }
            }));
            let (outbox_engine, stop, every) = (engine.clone(), stop_rx.clone(), cfg.outbox_every);
            tasks.push(supervisor.spawn("the outbox", move || {
                let (engine, stop) = (outbox_engine.clone(), stop.clone());
                async move { engine.run_outbox(every, stop).await }
            }));
        }
        let incidents = supervisor.incidents();
        Ok(Runtime {
            engine,
            system,
            webhook: webhook_server,
            socket,
            receive_words,
            stop,
            tasks,
            reconcile_now,
            incidents,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn system(&self) -> &str {
        &self.system
    }

    pub fn webhook_url(&self) -> Option<String> {
        self.webhook.as_ref().map(|w| w.local_url())
    }

    /// A few words on how changes arrive right now ("live", "reconnecting in 20 s",
    /// "polling every 30 s").
    pub fn receiver_state(&self) -> String {
        match &self.socket {
            Some(s) => s.borrow().to_string(),
            None => self.receive_words.clone(),
        }
    }

    /// The live connection's state, for watchers (the tray) that redraw when it changes.
    pub fn socket_state(&self) -> Option<watch::Receiver<SocketState>> {
        self.socket.clone()
    }

    /// Background tasks that ended on their own and were restarted, one entry per task; for
    /// watchers (the tray, the CLI's log) that say so when it changes.
    pub fn incidents(&self) -> watch::Receiver<Vec<Incident>> {
        self.incidents.clone()
    }

    /// [`Runtime::incidents`] in a few words ("the poller stopped unexpectedly and was
    /// restarted"), or `None` when every task has run as meant.
    pub fn incident_words(&self) -> Option<String> {
        incident_words(&self.incidents.borrow())
    }

    /// Asks for a reconcile now (a user pressed refresh, the network came back).
    pub fn reconcile_now(&self) {
        self.reconcile_now.notify_one();
    }

    pub async fn shutdown(self) {
        // The supervised tasks (the plugin channel among them) all watch this signal.
        let _ = self.stop.send(true);
        if let Some(w) = self.webhook {
            w.shutdown().await;
        }
        for t in self.tasks {
            if tokio::time::timeout(Duration::from_secs(5), t)
                .await
                .is_err()
            {
                tracing::warn!("a background task did not stop in time");
            }
        }
    }
}

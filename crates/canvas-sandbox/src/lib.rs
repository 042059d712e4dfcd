//! An emulated Canvas Medical instance on 127.0.0.1, faithful to shared/CANVAS.md: OAuth2
//! client credentials, the FHIR Task API with Canvas's quirks (empty create body, full-replace
//! PUT that appends notes, `If-Unmodified-Since`), Patient/Practitioner/Group pickers, the
//! companion plugin's WebSocket channel and signed webhooks, and simulated staff who finish
//! tasks and hand work to the sandbox's user. Knobs make it slow, failing or quiet on purpose
//! so every client path can be tested over real HTTP.

mod auth;
mod clinic;
mod clock;
mod config;
mod date_header;
mod fhir;
mod handout;
mod knobs;
mod outcome;
mod permalink;
mod relay;
mod socket;
mod staff;
mod staff_changes;
mod state;
mod store;
mod tasks;
mod webhook;

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

pub use clinic::Clinic;
pub use config::{SandboxConfig, WebhookTarget};
pub use handout::Handout;
pub use knobs::{Knobs, TokenRequest};

use state::{AppState, Outlets};
use store::Status;

/// A running sandbox. Dropping it stops serving; [`Sandbox::shutdown`] also waits for that.
pub struct Sandbox {
    state: AppState,
    addr: SocketAddr,
    shutdown: Option<watch::Sender<bool>>,
    server: Option<JoinHandle<()>>,
    webhook: Option<JoinHandle<()>>,
    handout: Option<JoinHandle<()>>,
}

fn router(state: AppState) -> Router {
    let date = axum::middleware::from_fn_with_state(state.clone(), date_header::stamp);
    Router::new()
        // Only with its slash, as customer-authentication.md writes it.
        .route("/auth/token/", post(auth::token))
        .nest("/fhir", fhir::router(state.clone()))
        .route("/permalinks/v1/{*key}", get(permalink::page))
        .route("/plugin-io/ws/{plugin}/{channel}/", get(socket::connect))
        .route("/plugin-io/ws/{plugin}/{channel}", get(socket::connect))
        .layer(date)
        .with_state(state)
}

/// Accepts the FHIR word or the Canvas UI word for a status.
fn parse_status(status: &str) -> Option<Status> {
    match status {
        "open" => Some(Status::Requested),
        "closed" => Some(Status::Cancelled),
        other => Status::parse(other),
    }
}

impl Sandbox {
    pub async fn start(config: SandboxConfig) -> anyhow::Result<Sandbox> {
        if let Some(target) = &config.webhook {
            webhook::signing_key(&target.secret)?;
        }
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .with_context(|| format!("binding 127.0.0.1:{}", config.port))?;
        let addr = listener.local_addr().context("reading the bound address")?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let knobs = Knobs::new(config.staff_delay, config.handout);
        let (webhooks, webhook) = match &config.webhook {
            Some(target) => {
                let (tx, rx) = mpsc::unbounded_channel();
                let clock = knobs.clock().clone();
                let handle = webhook::spawn(target.clone(), rx, shutdown_rx.clone(), clock)?;
                (Some(tx), Some(handle))
            }
            None => (None, None),
        };
        let base_url = format!("http://127.0.0.1:{}", addr.port());
        let outlets = Outlets {
            webhooks,
            shutdown: shutdown_rx.clone(),
        };
        let state = AppState::new(config, base_url, knobs, outlets);
        let handout = handout::spawn(state.clone());
        let app = router(state.clone());
        let mut stop = shutdown_rx;
        let server = tokio::spawn(async move {
            let graceful = async move {
                let _ = stop.changed().await;
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(graceful)
                .await
            {
                tracing::error!(%error, "sandbox server stopped");
            }
        });
        Ok(Sandbox {
            state,
            addr,
            shutdown: Some(shutdown_tx),
            server: Some(server),
            webhook,
            handout: Some(handout),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
    }

    /// `http://127.0.0.1:PORT/fhir`; resources live under it (`/fhir/Task`, …).
    pub fn fhir_base(&self) -> String {
        self.state.fhir_base()
    }

    /// `http://127.0.0.1:PORT/auth/token/`
    pub fn token_url(&self) -> String {
        format!("{}/auth/token/", self.base_url())
    }

    /// `ws://127.0.0.1:PORT/plugin-io/ws/<plugin>/<channel>/`; a client appends `?api_key=…`.
    pub fn ws_url(&self) -> String {
        let config = self.state.config();
        format!(
            "ws://127.0.0.1:{}/plugin-io/ws/{}/{}/",
            self.addr.port(),
            config.plugin_name,
            config.channel
        )
    }

    pub fn config(&self) -> &SandboxConfig {
        self.state.config()
    }

    pub fn knobs(&self) -> Knobs {
        self.state.knobs().clone()
    }

    pub fn clinic(&self) -> Clinic {
        self.state.directory().clinic()
    }

    /// Bulk-seeds tasks without pushes or simulated staff; returns their ids in creation order.
    /// `status` is `requested`/`completed`/`cancelled` (or `open`/`closed`).
    ///
    /// # Panics
    /// On any other status: this is a test helper and a typo should fail the test loudly.
    pub fn insert_tasks(&self, n: usize, status: &str) -> Vec<String> {
        let Some(status) = parse_status(status) else {
            panic!(
                "insert_tasks: unknown status {status:?}; use requested, completed or cancelled"
            );
        };
        self.state.insert_seed_tasks(n, status)
    }

    /// Changes a task's status as staff would in the Canvas UI: bumps `lastModified` and pushes
    /// (unless pushes are dropped). False when the task or the status is unknown.
    pub fn set_task_status(&self, id: &str, status: &str) -> bool {
        match parse_status(status) {
            Some(status) => self.state.set_status_as_staff(id, status, None, false),
            None => false,
        }
    }

    /// The task as `GET /fhir/Task/<id>` would answer it, without counting as a request.
    pub fn task_json(&self, id: &str) -> Option<serde_json::Value> {
        let task = self.state.task_snapshot(id)?;
        Some(fhir::task_json::render(
            &task,
            self.state.directory(),
            self.state.base_url(),
        ))
    }

    /// Runs one handout step now, whatever the pace, as the simulated staff would: the id of
    /// the task created or changed, or None when the step found nothing to act on.
    pub fn hand_out(&self, step: Handout) -> Option<String> {
        handout::hand_out(&self.state, step)
    }

    pub fn task_count(&self) -> usize {
        self.state.store().len()
    }

    /// Stops serving, closes plugin sockets, stops the staff, the handout and the webhook
    /// sender, and waits (briefly) for in-flight requests.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(server) = self.server.take() {
            let abort = server.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), server)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
        if let Some(webhook) = self.webhook.take() {
            let _ = webhook.await;
        }
        if let Some(handout) = self.handout.take() {
            let _ = handout.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
    }
}

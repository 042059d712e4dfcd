//! The plugin channel client's life: connect, listen, and after a loss wait and connect again,
//! until told to stop. Each step publishes a [`SocketState`] for the tray.
//!
//! Apart from the frames because this is the part that decides when to try again (the backoff,
//! a refused key retried at the cap, a healthy connection starting the count over), and it
//! reads best without what a single connection does in between.

use super::connection::{Connection, Ended, Ws};
use super::{describe, stop_requested, whole_secs, SocketConfig, SocketError, SocketState};
use crate::inbox::sink::Sink;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Error as WsError;

/// Relay payloads are a few kilobytes; anything far bigger is not one of them.
const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// The client; [`SocketClient::spawn`] runs it on its own task.
pub struct SocketClient {
    cfg: SocketConfig,
    sink: Arc<dyn Sink>,
    reconcile: Arc<Notify>,
}

/// A running client: its state, and the way to stop it.
pub struct SocketHandle {
    state: watch::Receiver<SocketState>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl SocketHandle {
    pub fn state(&self) -> watch::Receiver<SocketState> {
        self.state.clone()
    }

    /// Asks the client to close the connection and end; returns at once.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Stops the client and waits for its task to end.
    pub async fn shutdown(self) {
        self.stop();
        if let Err(e) = self.task.await {
            tracing::warn!("the plugin channel task ended abnormally: {e}");
        }
    }
}

impl SocketClient {
    /// Frames go to `sink` (the engine, in the app). `reconcile` is the poller's wake-up (the
    /// `now` of [`Poller::run`](crate::inbox::poll::Poller::run)).
    pub fn new(
        cfg: SocketConfig,
        sink: impl Sink + 'static,
        reconcile: Arc<Notify>,
    ) -> SocketClient {
        SocketClient {
            cfg,
            sink: Arc::new(sink),
            reconcile,
        }
    }

    pub fn spawn(self) -> SocketHandle {
        let (state_tx, state) = watch::channel(SocketState::Connecting);
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(self.run(state_tx, stop_rx));
        SocketHandle { state, stop, task }
    }

    /// Connects, listens and reconnects until `stop` turns true (or its sender goes away), then
    /// publishes [`SocketState::Stopped`].
    pub async fn run(self, state: watch::Sender<SocketState>, mut stop: watch::Receiver<bool>) {
        let mut failures: u32 = 0;
        while !*stop.borrow() {
            // The refusal stays on screen while retrying: "connecting" every minute would hide it.
            if !matches!(*state.borrow(), SocketState::Unauthorised { .. }) {
                state.send_replace(SocketState::Connecting);
            }
            let attempt = tokio::select! {
                attempt = self.connect() => attempt,
                _ = stop_requested(&mut stop) => break,
            };
            let error = match attempt {
                Ok(ws) => {
                    let opened = Instant::now();
                    self.on_connected(&state);
                    match self.connection().listen(ws, &mut stop).await {
                        Ended::Stopped => break,
                        Ended::Lost(e) => {
                            if opened.elapsed() >= self.cfg.steady_after {
                                failures = 0;
                            }
                            e
                        }
                    }
                }
                Err(e) => e,
            };
            failures = failures.saturating_add(1);
            let wait = self.on_failure(&state, failures, error);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop_requested(&mut stop) => break,
            }
        }
        state.send_replace(SocketState::Stopped);
        tracing::info!("plugin channel client stopped");
    }

    fn connection(&self) -> Connection<'_> {
        Connection {
            cfg: &self.cfg,
            sink: self.sink.as_ref(),
            reconcile: &self.reconcile,
        }
    }

    async fn connect(&self) -> Result<Ws, SocketError> {
        let request = self.cfg.request()?;
        let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE_BYTES));
        let limit = self.cfg.connect_timeout;
        match tokio::time::timeout(
            limit,
            tokio_tungstenite::connect_async_with_config(request, Some(config), true),
        )
        .await
        {
            Err(_) => Err(SocketError::Timeout(whole_secs(limit))),
            Ok(Err(e)) => Err(upgrade_error(e)),
            Ok(Ok((ws, _))) => Ok(ws),
        }
    }

    fn on_connected(&self, state: &watch::Sender<SocketState>) {
        state.send_replace(SocketState::Connected {
            since: OffsetDateTime::now_utc(),
        });
        tracing::info!(channel = %self.cfg.channel_url(), "plugin channel connected");
        // Whatever was broadcast while we were away is gone: let the poller catch up.
        self.reconcile.notify_one();
    }

    /// Publishes why the last attempt failed and returns how long to wait before the next.
    fn on_failure(
        &self,
        state: &watch::Sender<SocketState>,
        failures: u32,
        error: SocketError,
    ) -> Duration {
        if let SocketError::Refused(status) = error {
            let wait = self.cfg.backoff.cap;
            let detail = format!("HTTP {status}; trying again every {} s", whole_secs(wait));
            tracing::warn!(channel = %self.cfg.channel_url(), "the plugin refused the api key ({detail})");
            state.send_replace(SocketState::Unauthorised { detail });
            return wait;
        }
        // `failures` counts from 1; the schedule counts retries from 0.
        let wait = self.cfg.backoff.delay(failures.saturating_sub(1));
        let in_secs = whole_secs(wait);
        tracing::warn!(channel = %self.cfg.channel_url(), attempt = failures, "plugin channel: {error}; reconnecting in {in_secs} s");
        state.send_replace(SocketState::Reconnecting {
            in_secs,
            attempt: failures,
            last_error: error.to_string(),
        });
        wait
    }
}

/// Why the upgrade failed, in words that never include the URL (it carries the key).
fn upgrade_error(e: WsError) -> SocketError {
    match e {
        WsError::Http(response) => match response.status().as_u16() {
            status @ (401 | 403) => SocketError::Refused(status),
            status => SocketError::Http(status),
        },
        other => SocketError::Connect(describe(&other)),
    }
}

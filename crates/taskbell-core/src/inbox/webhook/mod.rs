//! The local webhook endpoint: where the companion plugin (through a tunnel), the seed plugins
//! and Fragment push task events. It authenticates, parses, and answers 2xx only once the event
//! is committed, so a sender that hears success may forget the event.
//!
//! A store failure is answered 503, which every webhook sender retries. What fails on our side
//! is answered with a fixed sentence and detailed only in the log.
//!
//! This module holds what callers see: the configuration, the errors, and the running server.
//! The rest is by concern: `receive` (the routes and a delivery's path to the engine), `auth`
//! (who may deliver), `reply` (what a refusal looks like) and `guard` (what bounds time and
//! load once a tunnel exposes the endpoint).

mod auth;
mod guard;
mod receive;
mod reply;

use self::auth::Auth;
use self::guard::Limits;
use self::receive::App;
use super::signature::{self, SignatureError};
use super::sink::Sink;
use axum::Router;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const DEFAULT_PORT: u16 = 8787;
/// Task payloads are a few KiB; anything far larger is a mistake or an attack.
pub const MAX_BODY: usize = 256 * 1024;
/// In-flight requests get this long to finish when the endpoint shuts down.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// A delivery is a few KiB and is stored in milliseconds: ten seconds is generous for a slow
/// link and short enough that trickling clients cannot pile up.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Far above what a clinic's senders need at once (the ingest benchmark uses 32 connections).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 64;
/// What a sender hears when its delivery could not be stored; the reason is in our log.
pub const STORE_FAILED: &str = "the event could not be stored; try again shortly";

#[derive(Clone)]
pub struct WebhookConfig {
    /// 127.0.0.1 unless the user explicitly chose otherwise: the tunnel reaches it on loopback.
    pub bind: IpAddr,
    /// 0 picks a free port (tests, benchmarks).
    pub port: u16,
    /// The Canvas system (instance) the Canvas route's events are filed under.
    pub system: String,
    /// The Standard Webhooks secret, `whsec_<base64>` (or bare base64).
    pub secret: Option<String>,
    /// The token expected as `Authorization: Bearer <token>`.
    pub bearer: Option<String>,
    /// How far a signed timestamp may be from our clock.
    pub tolerance: Duration,
    /// The whole request, body included; past it the answer is 408.
    pub request_timeout: Duration,
    /// Requests handled at once; past it the answer is 503 with `Retry-After`.
    pub max_in_flight: usize,
}

impl WebhookConfig {
    pub fn new(system: impl Into<String>) -> Self {
        WebhookConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_PORT,
            system: system.into(),
            secret: None,
            bearer: None,
            tolerance: signature::DEFAULT_TOLERANCE,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |o: &Option<String>| if o.is_some() { "<set>" } else { "<none>" };
        f.debug_struct("WebhookConfig")
            .field("bind", &self.bind)
            .field("port", &self.port)
            .field("system", &self.system)
            .field("secret", &set(&self.secret))
            .field("bearer", &set(&self.bearer))
            .field("tolerance", &self.tolerance)
            .field("request_timeout", &self.request_timeout)
            .field("max_in_flight", &self.max_in_flight)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("the webhook endpoint could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Secret(#[from] SignatureError),
    #[error("the webhook endpoint needs the name of the Canvas system its events belong to")]
    NoSystem,
    #[error("the webhook bearer token is empty")]
    EmptyBearer,
}

/// A running endpoint. Dropping it stops the server too; [`WebhookServer::shutdown`] also waits
/// for requests in flight.
pub struct WebhookServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl WebhookServer {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to reach the endpoint on this machine, e.g. `http://127.0.0.1:8787`.
    pub fn local_url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            });
        }
        format!("http://{addr}")
    }

    /// Stops accepting, lets requests in flight finish (up to a few seconds), and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                tracing::warn!(
                    "the webhook endpoint did not stop in time; closing its connections"
                );
                task.abort();
            }
        }
        tracing::info!(addr = %self.addr, "webhook endpoint stopped");
    }
}

impl Drop for WebhookServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds and serves the endpoint in the background.
pub async fn start(
    config: WebhookConfig,
    sink: impl Sink + 'static,
) -> Result<WebhookServer, WebhookError> {
    let addr = SocketAddr::new(config.bind, config.port);
    let app = router(&config, sink)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| WebhookError::Bind { addr, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| WebhookError::Bind { addr, source })?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("the webhook endpoint failed: {e}");
        }
    });
    tracing::info!(%addr, system = %config.system, "webhook endpoint listening");
    Ok(WebhookServer {
        addr,
        stop: Some(stop),
        task: Some(task),
    })
}

/// The endpoint's routes, for callers that serve them themselves.
pub fn router(config: &WebhookConfig, sink: impl Sink + 'static) -> Result<Router, WebhookError> {
    if config.system.trim().is_empty() {
        return Err(WebhookError::NoSystem);
    }
    let auth = Auth::from_config(config)?;
    let app = Arc::new(App {
        sink: Arc::new(sink),
        system: config.system.clone(),
        auth,
    });
    let limits = Limits {
        request_timeout: config.request_timeout,
        max_in_flight: config.max_in_flight,
    };
    Ok(guard::guard(receive::routes(), limits).with_state(app))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_debug_hides_credentials() {
        let mut c = WebhookConfig::new("sandbox");
        c.secret = Some("whsec_c2VjcmV0".into());
        c.bearer = Some("tok-123".into());
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("c2VjcmV0") && !shown.contains("tok-123"),
            "{shown}"
        );
    }
}

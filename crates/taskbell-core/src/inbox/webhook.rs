//! The local webhook endpoint: where the companion plugin (through a tunnel), the seed plugins
//! and Fragment push task events. It authenticates, parses, and answers 2xx only once the event
//! is committed, so a sender that hears success may forget the event.
//!
//! Every answer is JSON: `{"stored": true, "duplicate": bool}` or `{"error": "<reason>"}`.
//! A sender's mistake is a 4xx with a reason it can log; a store failure is a 503, which every
//! webhook sender (Canvas's `HttpRequestEffect` included) retries. What fails on our side is
//! answered with a fixed sentence and detailed only in the log. The guards that bound time and
//! load are in [`guard`](super::guard).

use super::guard::{self, Limits};
use super::payload::{self, Delivery, PayloadError};
use super::signature::{self, SignatureError, Signed, SigningKey};
use crate::engine::Engine;
use crate::task::{Source, TaskEvent};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
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
    Bind { addr: SocketAddr, source: std::io::Error },
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
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task).await.is_err() {
                tracing::warn!("the webhook endpoint did not stop in time; closing its connections");
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
pub async fn start(config: WebhookConfig, engine: Engine) -> Result<WebhookServer, WebhookError> {
    let addr = SocketAddr::new(config.bind, config.port);
    let app = router(&config, engine)?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| WebhookError::Bind { addr, source })?;
    let addr = listener.local_addr().map_err(|source| WebhookError::Bind { addr, source })?;
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
    Ok(WebhookServer { addr, stop: Some(stop), task: Some(task) })
}

/// The endpoint's routes, for callers that serve them themselves.
pub fn router(config: &WebhookConfig, engine: Engine) -> Result<Router, WebhookError> {
    if config.system.trim().is_empty() {
        return Err(WebhookError::NoSystem);
    }
    let auth = Auth {
        key: config.secret.as_deref().map(SigningKey::from_secret).transpose()?,
        bearer: config.bearer.as_deref().map(BearerToken::new).transpose()?,
        tolerance: config.tolerance,
    };
    let app = Arc::new(App { engine, system: config.system.clone(), auth });
    let limits = Limits { request_timeout: config.request_timeout, max_in_flight: config.max_in_flight };
    let routes = Router::new()
        .route("/hooks/canvas", post(canvas))
        .route("/hooks/fragment", post(fragment))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY));
    Ok(guard::guard(routes, limits).with_state(app))
}

struct App {
    engine: Engine,
    system: String,
    auth: Auth,
}

#[derive(Clone, Copy)]
enum Route {
    Canvas,
    Fragment,
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Route::Canvas => "/hooks/canvas",
            Route::Fragment => "/hooks/fragment",
        }
    }
}

async fn canvas(State(app): State<Arc<App>>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    answer(receive(&app, Route::Canvas, &headers, body).await, Route::Canvas)
}

async fn fragment(State(app): State<Arc<App>>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Response {
    answer(receive(&app, Route::Fragment, &headers, body).await, Route::Fragment)
}

async fn healthz() -> Response {
    (StatusCode::OK, Json(json!({"ok": true}))).into_response()
}

async fn not_found() -> Response {
    Reply::new(StatusCode::NOT_FOUND, "no such endpoint: POST to /hooks/canvas or /hooks/fragment").into_response()
}

async fn method_not_allowed() -> Response {
    Reply::new(StatusCode::METHOD_NOT_ALLOWED, "this endpoint takes POST").into_response()
}

/// Whether the delivery was new to the store.
struct Stored {
    duplicate: bool,
}

async fn receive(
    app: &App,
    route: Route,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Stored, Reply> {
    let body = body.map_err(body_rejection)?;
    app.auth.check(headers, &body, signing_clock(&app.engine))?;
    if !is_json(headers) {
        return Err(Reply::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "the body must be sent as Content-Type: application/json"));
    }
    let event = parse(app, route, headers, &body).map_err(|e| Reply::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    tracing::debug!(route = route.name(), key = %event.delivery_key, "webhook delivery parsed");
    let (system, task, kind) = (event.task.system.clone(), event.task.id.clone(), event.kind);
    let ingested = app.engine.ingest_all(vec![event]).await.map_err(|e| {
        tracing::error!(route = route.name(), "a webhook event could not be stored: {e}");
        Reply::new(StatusCode::SERVICE_UNAVAILABLE, STORE_FAILED)
    })?;
    let duplicate = ingested.first().is_some_and(|i| i.applied.duplicate);
    tracing::info!(route = route.name(), %system, %task, kind = kind.as_str(), duplicate, "webhook event stored");
    Ok(Stored { duplicate })
}

fn parse(app: &App, route: Route, headers: &HeaderMap, body: &[u8]) -> Result<TaskEvent, PayloadError> {
    let transport_id = headers.get(signature::ID_HEADER).and_then(|v| v.to_str().ok()).filter(|v| !v.is_empty());
    match route {
        Route::Canvas => payload::parse_canvas(&app.system, body, Delivery { source: Source::Webhook, transport_id }),
        Route::Fragment => payload::parse_fragment(body, Delivery { source: Source::Fragment, transport_id }),
    }
}

fn answer(result: Result<Stored, Reply>, route: Route) -> Response {
    match result {
        Ok(Stored { duplicate }) => {
            let body = if duplicate { r#"{"stored":true,"duplicate":true}"# } else { r#"{"stored":true,"duplicate":false}"# };
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Err(reply) => {
            if reply.status.is_server_error() {
                tracing::warn!(route = route.name(), status = reply.status.as_u16(), "webhook delivery not stored");
            } else {
                tracing::warn!(route = route.name(), status = reply.status.as_u16(), "webhook delivery refused: {}", reply.reason);
            }
            reply.into_response()
        }
    }
}

fn body_rejection(e: BytesRejection) -> Reply {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Reply::new(StatusCode::PAYLOAD_TOO_LARGE, format!("the body is larger than {} KiB", MAX_BODY / 1024))
    } else {
        tracing::debug!("a webhook body could not be read: {}", e.body_text());
        Reply::new(StatusCode::BAD_REQUEST, "the body could not be read")
    }
}

/// `application/json`, with parameters or not, and `application/<x>+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mime = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// A refusal: its status and a one-line reason for the sender's logs.
#[derive(Debug)]
pub(super) struct Reply {
    status: StatusCode,
    reason: String,
}

impl Reply {
    pub(super) fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        let reason = reason.into().replace(['\r', '\n'], " ");
        Reply { status, reason }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({"error": self.reason}))).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

/// The clock a signature's timestamp is held against: the sender's is Canvas's, so Canvas's as
/// its latest answer gave it, when there is one; a desktop clock minutes off must not turn every
/// delivery away. Else the desktop's.
fn signing_clock(engine: &Engine) -> i64 {
    let canvas = engine.canvas().and_then(|c| c.canvas_now());
    canvas.unwrap_or_else(|| engine.clock().now()).unix_timestamp()
}

/// Which credentials the endpoint takes: exactly the ones configured. Every credential a request
/// presents that the endpoint knows is checked, and at least one must be presented.
struct Auth {
    key: Option<SigningKey>,
    bearer: Option<BearerToken>,
    tolerance: Duration,
}

impl Auth {
    fn check(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), Reply> {
        if self.key.is_none() && self.bearer.is_none() {
            return Err(unauthorized(
                "nothing is configured to authenticate webhooks (no signing secret, no bearer token), so every delivery is refused",
            ));
        }
        let mut passed = false;
        if let Some(expected) = &self.bearer {
            match bearer_of(headers) {
                Some(token) if expected.matches(token) => passed = true,
                Some(_) => return Err(unauthorized("the bearer token does not match")),
                None => {}
            }
        }
        if let Some(key) = &self.key {
            if Signed::attempted(headers) || self.bearer.is_none() {
                let signed = Signed::from_headers(headers).map_err(signature_reply)?;
                key.verify(&signed, body, now, self.tolerance).map_err(signature_reply)?;
                passed = true;
            }
        }
        match (passed, &self.key) {
            (true, _) => Ok(()),
            (false, Some(_)) => Err(unauthorized(
                "expected a Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature) or Authorization: Bearer <token>",
            )),
            (false, None) => Err(unauthorized("missing Authorization: Bearer <token>")),
        }
    }
}

fn unauthorized(reason: &str) -> Reply {
    Reply::new(StatusCode::UNAUTHORIZED, reason)
}

fn signature_reply(e: SignatureError) -> Reply {
    let status = if e.is_unauthenticated() { StatusCode::UNAUTHORIZED } else { StatusCode::BAD_REQUEST };
    Reply::new(status, e.to_string())
}

/// The token of `Authorization: Bearer <token>`; a header of another form counts as a wrong
/// token, not a missing one, so the sender hears what is wrong.
fn bearer_of(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes();
    let token = value
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case(b"bearer "))
        .and_then(|_| value.get(7..))
        .unwrap_or(b"");
    Some(token.trim_ascii())
}

/// The configured bearer token, kept as a MAC under a random key so a comparison takes the same
/// time whatever the guess and reveals neither its content nor its length.
struct BearerToken {
    key: [u8; 32],
    tag: Vec<u8>,
}

impl BearerToken {
    fn new(token: &str) -> Result<Self, WebhookError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(WebhookError::EmptyBearer);
        }
        let key: [u8; 32] = rand::random();
        let tag = Self::mac(&key, token.as_bytes()).finalize().into_bytes().to_vec();
        Ok(BearerToken { key, tag })
    }

    fn mac(key: &[u8; 32], token: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(token);
        mac
    }

    fn matches(&self, presented: &[u8]) -> bool {
        !presented.is_empty() && Self::mac(&self.key, presented).verify_slice(&self.tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).expect("valid header"));
        }
        h
    }

    #[test]
    fn json_content_types() {
        assert!(is_json(&headers(&[("content-type", "application/json")])));
        assert!(is_json(&headers(&[("content-type", "Application/JSON; charset=utf-8")])));
        assert!(is_json(&headers(&[("content-type", "application/cloudevents+json")])));
        assert!(!is_json(&headers(&[("content-type", "text/plain")])));
        assert!(!is_json(&headers(&[("content-type", "application/x-www-form-urlencoded")])));
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn bearer_tokens_compare_by_value_only() {
        let t = BearerToken::new("s3cret").expect("token");
        assert!(t.matches(b"s3cret"));
        assert!(!t.matches(b"s3cre"));
        assert!(!t.matches(b"s3crett"));
        assert!(!t.matches(b""));
        assert!(matches!(BearerToken::new("  "), Err(WebhookError::EmptyBearer)));
    }

    #[test]
    fn bearer_header_forms() {
        assert_eq!(bearer_of(&headers(&[("authorization", "Bearer abc")])), Some(&b"abc"[..]));
        assert_eq!(bearer_of(&headers(&[("authorization", "bearer  abc ")])), Some(&b"abc"[..]));
        assert_eq!(bearer_of(&headers(&[("authorization", "Basic abc")])), Some(&b""[..]));
        assert_eq!(bearer_of(&HeaderMap::new()), None);
    }

    #[test]
    fn config_debug_hides_credentials() {
        let mut c = WebhookConfig::new("sandbox");
        c.secret = Some("whsec_c2VjcmV0".into());
        c.bearer = Some("tok-123".into());
        let shown = format!("{c:?}");
        assert!(!shown.contains("c2VjcmV0") && !shown.contains("tok-123"), "{shown}");
    }
}

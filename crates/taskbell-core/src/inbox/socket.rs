//! The companion plugin's WebSocket channel, from the desktop's side: an outbound connection to
//! `wss://<instance>.canvasmedical.com/plugin-io/ws/<plugin>/<channel>/?api_key=<key>` whose
//! text frames are relay payloads for [`Engine::ingest`].
//!
//! Outbound, because a desktop behind a clinic's NAT can always dial out while nothing can
//! reach it. The channel has no replay (a broadcast sent while we are away is gone), so the
//! client never trusts itself alone: after every connect it wakes the poller, which reconciles
//! against the FHIR API and fills whatever gap the disconnection left. A connection that goes
//! quiet is presumed dead (a laptop lid, a NAT that forgot us), pinged, and replaced.
//!
//! The tray and Settings watch a [`SocketState`]; [`SocketHandle::stop`] ends the task.

use crate::backoff::Backoff;
use crate::engine::Engine;
use crate::inbox::payload::{self, Delivery};
use crate::task::Source;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::net::TcpStream;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::header::AUTHORIZATION;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use url::Url;

/// The companion plugin's name and default channel (canvas-plugin/).
pub const DEFAULT_PLUGIN: &str = "taskbell_relay";
pub const DEFAULT_CHANNEL: &str = "taskbell";

/// Relay payloads are a few kilobytes; anything far bigger is not one of them.
const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// How long a goodbye may take when stopping: shutdown must not wait on a dead peer.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error("{0}")]
    Config(String),
    #[error("the plugin refused the api key (HTTP {0})")]
    Refused(u16),
    #[error("the plugin channel answered HTTP {0} instead of opening")]
    Http(u16),
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("no answer within {0} s")]
    Timeout(u64),
    #[error("nothing heard from the plugin channel for {0} s")]
    Silent(u64),
    #[error("the connection closed: {0}")]
    Closed(String),
}

/// What the tray and Settings show about the channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SocketState {
    Connecting,
    Connected {
        #[serde(with = "time::serde::rfc3339")]
        since: OffsetDateTime,
    },
    /// Waiting `in_secs` before trying again; `attempt` counts the failures in a row and
    /// `last_error` says what the latest one was.
    Reconnecting {
        in_secs: u64,
        attempt: u32,
        last_error: String,
    },
    /// The upgrade was answered 401 or 403. Retried at the backoff cap, in case the key is
    /// fixed on the plugin's side; `detail` says so.
    Unauthorised {
        detail: String,
    },
    Stopped,
}

impl SocketState {
    pub fn is_live(&self) -> bool {
        matches!(self, SocketState::Connected { .. })
    }
}

impl fmt::Display for SocketState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocketState::Connecting => f.write_str("connecting"),
            SocketState::Connected { .. } => f.write_str("live"),
            SocketState::Reconnecting { in_secs, .. } => write!(f, "reconnecting in {in_secs} s"),
            SocketState::Unauthorised { detail } => write!(f, "the plugin refused the api key ({detail})"),
            SocketState::Stopped => f.write_str("off"),
        }
    }
}

/// Reconnect waits: from 1 s, doubling per failure in a row, up to a minute.
pub const RECONNECT_BACKOFF: Backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));

/// Where the channel is, the key it wants, and how patient to be with it.
#[derive(Clone)]
pub struct SocketConfig {
    /// The task system events are filed under: the same name as the Canvas client's.
    pub system: String,
    channel_url: Url,
    api_key: String,
    /// Also send the key as `Authorization: <key>`. Canvas hands the `?api_key=` parameter to
    /// the plugin as its `authorization` header; sending the header too keeps the plugin
    /// reachable should a proxy or a later Canvas stop passing the parameter on. Both carry the
    /// same key, so whichever the platform keeps, the plugin sees the right one.
    pub send_authorization: bool,
    /// How often a ping is sent; any frame or pong from the server counts as life.
    pub ping_every: Duration,
    /// A connection that has been silent this long is dropped and replaced.
    pub silence_limit: Duration,
    /// TCP, TLS and the upgrade together.
    pub connect_timeout: Duration,
    pub backoff: Backoff,
    /// A connection that stayed up this long was healthy: the backoff starts over after it.
    pub steady_after: Duration,
}

impl fmt::Debug for SocketConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketConfig")
            .field("system", &self.system)
            .field("channel_url", &self.channel_url.as_str())
            .field("api_key", &"<hidden>")
            .field("send_authorization", &self.send_authorization)
            .field("ping_every", &self.ping_every)
            .field("silence_limit", &self.silence_limit)
            .field("connect_timeout", &self.connect_timeout)
            .field("backoff", &self.backoff)
            .field("steady_after", &self.steady_after)
            .finish()
    }
}

impl SocketConfig {
    /// A channel by its full URL (`ws://` for the sandbox, `wss://` for Canvas; `http(s)://`
    /// is taken as the same host). Any `api_key` already in the URL is replaced by `api_key`.
    pub fn new(system: &str, channel_url: &str, api_key: &str) -> Result<SocketConfig, SocketError> {
        if api_key.is_empty() {
            return Err(SocketError::Config("the plugin channel needs its api key".into()));
        }
        let cfg = SocketConfig {
            system: system.to_string(),
            channel_url: parse_channel_url(channel_url)?,
            api_key: api_key.to_string(),
            send_authorization: true,
            ping_every: Duration::from_secs(20),
            silence_limit: Duration::from_secs(45),
            connect_timeout: Duration::from_secs(15),
            backoff: RECONNECT_BACKOFF,
            steady_after: Duration::from_secs(30),
        };
        cfg.request()?;
        Ok(cfg)
    }

    /// The channel of a hosted instance: `wss://<instance>.canvasmedical.com/plugin-io/ws/<plugin>/<channel>/`.
    pub fn for_instance(
        instance: &str,
        plugin: &str,
        channel: &str,
        api_key: &str,
    ) -> Result<SocketConfig, SocketError> {
        let host_label =
            !instance.is_empty() && instance.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !host_label {
            return Err(SocketError::Config(format!(
                "{instance:?} is not a Canvas instance name: use the part before .canvasmedical.com"
            )));
        }
        // Canvas's own rule for channel names, `[\w-]+`; plugin names are no looser.
        let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !word(plugin) || !word(channel) {
            return Err(SocketError::Config("plugin and channel names may hold only letters, digits, _ and -".into()));
        }
        let url = format!("wss://{instance}.canvasmedical.com/plugin-io/ws/{plugin}/{channel}/");
        SocketConfig::new(instance, &url, api_key)
    }

    /// The channel's address without the key: safe to show and to log.
    pub fn channel_url(&self) -> &Url {
        &self.channel_url
    }

    fn url_with_key(&self) -> Url {
        let mut url = self.channel_url.clone();
        url.query_pairs_mut().append_pair("api_key", &self.api_key);
        url
    }

    /// The upgrade request. Its errors never quote the URL: it carries the key.
    fn request(&self) -> Result<Request, SocketError> {
        let mut request = self
            .url_with_key()
            .as_str()
            .into_client_request()
            .map_err(|_| SocketError::Config("the plugin channel URL cannot be used for a WebSocket".into()))?;
        if self.send_authorization {
            let mut value = HeaderValue::from_str(&self.api_key)
                .map_err(|_| SocketError::Config("the api key holds characters a header cannot carry".into()))?;
            value.set_sensitive(true);
            request.headers_mut().insert(AUTHORIZATION, value);
        }
        Ok(request)
    }
}

fn parse_channel_url(s: &str) -> Result<Url, SocketError> {
    let mut url =
        Url::parse(s.trim()).map_err(|e| SocketError::Config(format!("the plugin channel URL is not a URL: {e}")))?;
    let scheme = match url.scheme() {
        "ws" | "http" => "ws",
        "wss" | "https" => "wss",
        other => {
            return Err(SocketError::Config(format!("the plugin channel URL must be wss:// or ws://, not {other}://")))
        }
    };
    url.set_scheme(scheme)
        .map_err(|_| SocketError::Config("the plugin channel URL cannot take a WebSocket scheme".into()))?;
    if url.host_str().unwrap_or_default().is_empty() {
        return Err(SocketError::Config("the plugin channel URL has no host".into()));
    }
    let kept: Vec<(String, String)> =
        url.query_pairs().filter(|(k, _)| k != "api_key").map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    url.set_query(None);
    if !kept.is_empty() {
        url.query_pairs_mut().extend_pairs(kept);
    }
    url.set_fragment(None);
    Ok(url)
}

/// The client; [`SocketClient::spawn`] runs it on its own task.
pub struct SocketClient {
    cfg: SocketConfig,
    engine: Engine,
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

/// How a connection ended.
enum Ended {
    Stopped,
    Lost(SocketError),
}

impl SocketClient {
    /// `reconcile` is the poller's wake-up (the `now` of [`Poller::run`](crate::inbox::poll::Poller::run)).
    pub fn new(cfg: SocketConfig, engine: Engine, reconcile: Arc<Notify>) -> SocketClient {
        SocketClient { cfg, engine, reconcile }
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
                    match self.listen(ws, &mut stop).await {
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

    async fn connect(&self) -> Result<Ws, SocketError> {
        let request = self.cfg.request()?;
        let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE_BYTES));
        let limit = self.cfg.connect_timeout;
        match tokio::time::timeout(limit, tokio_tungstenite::connect_async_with_config(request, Some(config), true))
            .await
        {
            Err(_) => Err(SocketError::Timeout(whole_secs(limit))),
            Ok(Err(e)) => Err(upgrade_error(e)),
            Ok(Ok((ws, _))) => Ok(ws),
        }
    }

    fn on_connected(&self, state: &watch::Sender<SocketState>) {
        state.send_replace(SocketState::Connected { since: OffsetDateTime::now_utc() });
        tracing::info!(channel = %self.cfg.channel_url, "plugin channel connected");
        // Whatever was broadcast while we were away is gone: let the poller catch up.
        self.reconcile.notify_one();
    }

    /// Publishes why the last attempt failed and returns how long to wait before the next.
    fn on_failure(&self, state: &watch::Sender<SocketState>, failures: u32, error: SocketError) -> Duration {
        if let SocketError::Refused(status) = error {
            let wait = self.cfg.backoff.cap;
            let detail = format!("HTTP {status}; trying again every {} s", whole_secs(wait));
            tracing::warn!(channel = %self.cfg.channel_url, "the plugin refused the api key ({detail})");
            state.send_replace(SocketState::Unauthorised { detail });
            return wait;
        }
        // `failures` counts from 1; the schedule counts retries from 0.
        let wait = self.cfg.backoff.delay(failures.saturating_sub(1));
        let in_secs = whole_secs(wait);
        tracing::warn!(channel = %self.cfg.channel_url, attempt = failures, "plugin channel: {error}; reconnecting in {in_secs} s");
        state.send_replace(SocketState::Reconnecting { in_secs, attempt: failures, last_error: error.to_string() });
        wait
    }

    /// Reads frames until the connection ends or `stop` says so, pinging along the way.
    async fn listen(&self, ws: Ws, stop: &mut watch::Receiver<bool>) -> Ended {
        let (mut sink, mut frames) = ws.split();
        let mut ping = tokio::time::interval_at(Instant::now() + self.cfg.ping_every, self.cfg.ping_every);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut heard = Instant::now();
        loop {
            let silent_at = heard + self.cfg.silence_limit;
            tokio::select! {
                _ = stop_requested(stop) => {
                    say_goodbye(&mut sink).await;
                    return Ended::Stopped;
                }
                _ = tokio::time::sleep_until(silent_at) => {
                    return Ended::Lost(SocketError::Silent(whole_secs(self.cfg.silence_limit)));
                }
                _ = ping.tick() => {
                    if let Err(e) = self.send_ping(&mut sink).await {
                        return Ended::Lost(e);
                    }
                }
                frame = frames.next() => {
                    if let Some(end) = self.on_frame(frame).await {
                        return Ended::Lost(end);
                    }
                    // After the frame is handled: a slow commit is not the peer's silence.
                    heard = Instant::now();
                }
            }
        }
    }

    async fn send_ping(&self, sink: &mut SplitSink<Ws, Message>) -> Result<(), SocketError> {
        // A peer that stopped reading fills our send buffer; the silence limit bounds the wait.
        match tokio::time::timeout(self.cfg.silence_limit, sink.send(Message::Ping(Default::default()))).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(SocketError::Closed(describe(&e))),
            Err(_) => Err(SocketError::Silent(whole_secs(self.cfg.silence_limit))),
        }
    }

    /// Handles one read; `Some` when the connection is over.
    async fn on_frame(&self, frame: Option<Result<Message, WsError>>) -> Option<SocketError> {
        match frame {
            Some(Ok(Message::Text(text))) => {
                self.deliver(text.as_bytes()).await;
                None
            }
            Some(Ok(Message::Binary(bytes))) => {
                tracing::debug!(bytes = bytes.len(), "ignored a binary frame on the plugin channel");
                None
            }
            // Pings are answered by the protocol layer; pongs only prove the peer is alive.
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => None,
            Some(Ok(Message::Close(frame))) => Some(SocketError::Closed(match frame {
                Some(f) if !f.reason.is_empty() => {
                    format!("the server closed it ({}, {})", u16::from(f.code), f.reason)
                }
                Some(f) => format!("the server closed it ({})", u16::from(f.code)),
                None => "the server closed it".into(),
            })),
            Some(Err(e)) => Some(SocketError::Closed(describe(&e))),
            None => Some(SocketError::Closed("the stream ended".into())),
        }
    }

    /// One relay payload into the pipeline. A frame that cannot be read is skipped: the
    /// reconcile after the next connect would find the change anyway, and one odd frame must
    /// not cost the connection.
    async fn deliver(&self, body: &[u8]) {
        let delivery = Delivery { source: Source::Socket, transport_id: None };
        let event = match payload::parse_canvas(&self.cfg.system, body, delivery) {
            Ok(event) => event,
            Err(e) => {
                tracing::warn!(bytes = body.len(), "skipped a plugin frame: {e}");
                // The frame may name a patient: only at debug.
                tracing::debug!(frame = %String::from_utf8_lossy(body), "the skipped frame");
                return;
            }
        };
        let task = event.task.id.clone();
        match self.engine.ingest(event).await {
            Ok(r) => {
                tracing::debug!(%task, duplicate = r.applied.duplicate, notified = r.notified, "plugin event stored")
            }
            Err(e) => {
                tracing::warn!(%task, "a plugin event could not be stored ({e}); asking for a reconcile");
                self.reconcile.notify_one();
            }
        }
    }
}

/// Returns once `stop` is true or its sender is gone (nobody can stop us any more: stop now).
async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

async fn say_goodbye(sink: &mut SplitSink<Ws, Message>) {
    let bye = Message::Close(Some(CloseFrame { code: CloseCode::Away, reason: "taskbell is stopping".into() }));
    let _ = tokio::time::timeout(CLOSE_GRACE, sink.send(bye)).await;
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

fn describe(e: &WsError) -> String {
    match e {
        WsError::Io(io) => io.to_string(),
        WsError::Tls(tls) => format!("TLS: {tls}"),
        WsError::Url(_) => "the address cannot be reached".into(),
        WsError::Http(response) => format!("HTTP {}", response.status().as_u16()),
        WsError::ConnectionClosed | WsError::AlreadyClosed => "the connection closed".into(),
        other => other.to_string(),
    }
}

/// Whole seconds, rounded up, for people: "0 s" would read as "now".
fn whole_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(key: &str) -> SocketConfig {
        SocketConfig::new("sandbox", "ws://127.0.0.1:9/plugin-io/ws/taskbell_relay/taskbell/", key).expect("valid")
    }

    #[test]
    fn the_key_travels_url_encoded_and_as_the_authorization_header() {
        let cfg = config("k3y with/odd&chars=");
        let request = cfg.request().expect("request");
        assert_eq!(
            request.uri().to_string(),
            "ws://127.0.0.1:9/plugin-io/ws/taskbell_relay/taskbell/?api_key=k3y+with%2Fodd%26chars%3D"
        );
        assert_eq!(request.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()), Some("k3y with/odd&chars="));
        let mut quiet = cfg.clone();
        quiet.send_authorization = false;
        assert!(quiet.request().expect("request").headers().get(AUTHORIZATION).is_none());
    }

    #[test]
    fn the_key_never_shows_in_debug_output_or_the_shown_url() {
        let cfg = config("s3cr3t-socket-key");
        assert!(!format!("{cfg:?}").contains("s3cr3t"));
        assert!(!cfg.channel_url().as_str().contains("s3cr3t"));
        assert!(!format!("{:?}", cfg.request().expect("request").headers()).contains("s3cr3t"));
    }

    #[test]
    fn urls_are_normalised_and_checked() {
        let cfg = SocketConfig::new("s", "https://x.example/plugin-io/ws/p/c/?api_key=old&v=2#top", "new").expect("ok");
        assert_eq!(cfg.channel_url().as_str(), "wss://x.example/plugin-io/ws/p/c/?v=2");
        assert_eq!(cfg.url_with_key().as_str(), "wss://x.example/plugin-io/ws/p/c/?v=2&api_key=new");
        let hosted = SocketConfig::for_instance("demo", DEFAULT_PLUGIN, DEFAULT_CHANNEL, "k").expect("ok");
        assert_eq!(hosted.channel_url().as_str(), "wss://demo.canvasmedical.com/plugin-io/ws/taskbell_relay/taskbell/");
        assert_eq!(hosted.system, "demo");
        assert!(SocketConfig::new("s", "ftp://x.example/", "k").is_err());
        assert!(SocketConfig::new("s", "not a url", "k").is_err());
        assert!(SocketConfig::new("s", "wss://x.example/", "").is_err());
        assert!(SocketConfig::new("s", "wss://x.example/", "line\nbreak").is_err());
        assert!(SocketConfig::for_instance("demo.evil.com/x", DEFAULT_PLUGIN, DEFAULT_CHANNEL, "k").is_err());
    }

    #[test]
    fn states_read_as_short_words() {
        assert_eq!(SocketState::Connected { since: OffsetDateTime::UNIX_EPOCH }.to_string(), "live");
        let waiting = SocketState::Reconnecting { in_secs: 20, attempt: 3, last_error: "x".into() };
        assert_eq!(waiting.to_string(), "reconnecting in 20 s");
        let refused = SocketState::Unauthorised { detail: "HTTP 403; trying again every 60 s".into() };
        assert_eq!(refused.to_string(), "the plugin refused the api key (HTTP 403; trying again every 60 s)");
        assert_eq!(SocketState::Stopped.to_string(), "off");
        let json = serde_json::to_value(&waiting).expect("serialises");
        assert_eq!(json["state"], "reconnecting");
    }

    #[test]
    fn waits_are_shown_in_whole_seconds_rounded_up() {
        assert_eq!(whole_secs(Duration::from_millis(1)), 1);
        assert_eq!(whole_secs(Duration::from_secs(20)), 20);
        assert_eq!(whole_secs(Duration::from_millis(20_100)), 21);
    }
}

//! The companion plugin's WebSocket channel, from the desktop's side: an outbound connection to
//! `wss://<instance>.canvasmedical.com/plugin-io/ws/<plugin>/<channel>/?api_key=<key>` whose
//! text frames are relay payloads for the engine, handed over through a [`Sink`](super::sink::Sink).
//!
//! Outbound, because a desktop behind a clinic's NAT can always dial out while nothing can
//! reach it. The channel has no replay (a broadcast sent while we are away is gone), so the
//! client never trusts itself alone: after every connect it wakes the poller, which reconciles
//! against the FHIR API and fills whatever gap the disconnection left. A connection that goes
//! quiet is presumed dead (a laptop lid, a NAT that forgot us), pinged, and replaced.
//!
//! The tray and Settings watch a [`SocketState`]; [`SocketHandle::stop`] ends the task.
//!
//! This module holds what the rest of Taskbell sees of the channel (its errors and states);
//! `config` the address and the key, `client` the connect and reconnect cycle, `connection`
//! what happens on one open connection.

mod client;
mod config;
mod connection;

pub use client::{SocketClient, SocketHandle};
pub use config::{SocketConfig, DEFAULT_CHANNEL, DEFAULT_PLUGIN, RECONNECT_BACKOFF};

use serde::Serialize;
use std::fmt;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Error as WsError;

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
            SocketState::Unauthorised { detail } => {
                write!(f, "the plugin refused the api key ({detail})")
            }
            SocketState::Stopped => f.write_str("off"),
        }
    }
}

/// Returns once `stop` is true or its sender is gone (nobody can stop us any more: stop now).
async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

/// A WebSocket error in words that never include the URL (it carries the key).
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

    #[test]
    fn states_read_as_short_words() {
        assert_eq!(
            SocketState::Connected {
                since: OffsetDateTime::UNIX_EPOCH
            }
            .to_string(),
            "live"
        );
        let waiting = SocketState::Reconnecting {
            in_secs: 20,
            attempt: 3,
            last_error: "x".into(),
        };
        assert_eq!(waiting.to_string(), "reconnecting in 20 s");
        let refused = SocketState::Unauthorised {
            detail: "HTTP 403; trying again every 60 s".into(),
        };
        assert_eq!(
            refused.to_string(),
            "the plugin refused the api key (HTTP 403; trying again every 60 s)"
        );
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

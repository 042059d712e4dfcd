//! One open connection to the plugin channel: frames in, pings out, until it ends or the client
//! is stopped. A text frame is a relay payload for the sink; a frame that cannot be read is
//! skipped, never a reason to drop the connection.
//!
//! Apart from the reconnect cycle because what a connection does while it is up (keeping it
//! alive, telling a dead peer from a slow one, handing payloads on) has nothing to do with how
//! the next one is dialled.

use super::{describe, stop_requested, whole_secs, SocketConfig, SocketError};
use crate::inbox::payload::{self, Delivery};
use crate::inbox::sink::Sink;
use crate::task::Source;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a goodbye may take when stopping: shutdown must not wait on a dead peer.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

pub(super) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How a connection ended.
pub(super) enum Ended {
    Stopped,
    Lost(SocketError),
}

/// What a connection needs from its client while it is open.
pub(super) struct Connection<'a> {
    pub cfg: &'a SocketConfig,
    pub sink: &'a dyn Sink,
    /// The poller's wake-up, for a payload that could not be stored.
    pub reconcile: &'a Notify,
}

impl Connection<'_> {
    /// Reads frames until the connection ends or `stop` says so, pinging along the way.
    pub(super) async fn listen(&self, ws: Ws, stop: &mut watch::Receiver<bool>) -> Ended {
        let (mut outgoing, mut frames) = ws.split();
        let mut ping =
            tokio::time::interval_at(Instant::now() + self.cfg.ping_every, self.cfg.ping_every);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut heard = Instant::now();
        loop {
            let silent_at = heard + self.cfg.silence_limit;
            tokio::select! {
                _ = stop_requested(stop) => {
                    say_goodbye(&mut outgoing).await;
                    return Ended::Stopped;
                }
                _ = tokio::time::sleep_until(silent_at) => {
                    return Ended::Lost(SocketError::Silent(whole_secs(self.cfg.silence_limit)));
                }
                _ = ping.tick() => {
                    if let Err(e) = self.send_ping(&mut outgoing).await {
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

    async fn send_ping(&self, outgoing: &mut SplitSink<Ws, Message>) -> Result<(), SocketError> {
        // A peer that stopped reading fills our send buffer; the silence limit bounds the wait.
        match tokio::time::timeout(
            self.cfg.silence_limit,
            outgoing.send(Message::Ping(Default::default())),
        )
        .await
        {
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
                tracing::debug!(
                    bytes = bytes.len(),
                    "ignored a binary frame on the plugin channel"
                );
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
        let delivery = Delivery {
            source: Source::Socket,
            transport_id: None,
        };
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
        match self.sink.ingest(event).await {
            Ok(r) => {
                tracing::debug!(%task, duplicate = r.duplicate, notified = r.notified, "plugin event stored")
            }
            Err(e) => {
                tracing::warn!(%task, "a plugin event could not be stored ({e}); asking for a reconcile");
                self.reconcile.notify_one();
            }
        }
    }
}

async fn say_goodbye(outgoing: &mut SplitSink<Ws, Message>) {
    let bye = Message::Close(Some(CloseFrame {
        code: CloseCode::Away,
        reason: "taskbell is stopping".into(),
    }));
    let _ = tokio::time::timeout(CLOSE_GRACE, outgoing.send(bye)).await;
}

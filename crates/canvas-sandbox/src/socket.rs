//! The plugin's WebSocket channel, `/plugin-io/ws/<plugin>/<channel>/?api_key=…`: every
//! connected client receives each relay payload as one text message. A client that is not
//! connected misses it; there is no replay, as on Canvas.
//!
//! A wrong plugin or channel answers 404. A missing or wrong `api_key` answers 403 before the
//! upgrade, which is what Canvas (Django Channels) does when `authenticate()` refuses.

use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use tokio::sync::{broadcast, watch};

use crate::state::AppState;

fn api_key(query: Option<&str>) -> Option<String> {
    let query = query?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "api_key")
        .map(|(_, value)| value.into_owned())
}

/// Equal-time comparison, as the plugin does with `hmac.compare_digest`.
fn same_key(given: &str, expected: &str) -> bool {
    given.len() == expected.len()
        && given
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

pub(crate) async fn connect(
    State(state): State<AppState>,
    Path((plugin, channel)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let config = state.config();
    if plugin != config.plugin_name || channel != config.channel {
        return (StatusCode::NOT_FOUND, "No such plugin channel.").into_response();
    }
    match api_key(query.as_deref()) {
        Some(key) if same_key(&key, &config.socket_api_key) => {}
        _ => return (StatusCode::FORBIDDEN, "Missing or wrong api_key.").into_response(),
    }
    let upgrade = match upgrade {
        Ok(u) => u,
        Err(rejection) => return rejection.into_response(),
    };
    // Subscribe before answering 101, so a change (or a drop requested through the knob) made
    // right after the client sees the connection open is not missed.
    let pushes = state.subscribe_sockets();
    let drops = state.knobs().socket_drops();
    upgrade.on_upgrade(move |socket| serve(socket, state, pushes, drops))
}

fn closing(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

async fn serve(
    mut socket: WebSocket,
    state: AppState,
    mut pushes: broadcast::Receiver<Arc<str>>,
    mut drops: watch::Receiver<u64>,
) {
    let mut shutdown = state.shutdown_signal();
    loop {
        tokio::select! {
            push = pushes.recv() => match push {
                Ok(text) => {
                    if socket.send(Message::Text(text.as_ref().into())).await.is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::warn!(missed, "socket client too slow; pushes skipped");
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            // Pings are answered with pongs by the WebSocket layer while we keep reading.
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            _ = drops.changed() => {
                let _ = socket.send(closing(1012, "dropped by test knob")).await;
                break;
            }
            _ = shutdown.changed() => {
                let _ = socket.send(closing(1001, "sandbox shutting down")).await;
                break;
            }
        }
    }
}

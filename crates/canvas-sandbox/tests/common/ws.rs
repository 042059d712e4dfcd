//! A plugin WebSocket client, as the app's live receiver connects.

use std::time::Duration;

use canvas_sandbox::Sandbox;
use futures_util::StreamExt;
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(sb: &Sandbox) -> Ws {
    let url = format!("{}?api_key={}", sb.ws_url(), sb.config().socket_api_key);
    tokio_tungstenite::connect_async(url)
        .await
        .expect("socket connects")
        .0
}

/// The next text frame as JSON, within a few seconds.
pub async fn next_json(ws: &mut Ws) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(3), ws.next())
            .await
            .expect("a push arrives")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

//! Shutting down is prompt even with pooled HTTP connections and open sockets.

mod common;

use std::time::{Duration, Instant};

use common::Api;
use futures_util::StreamExt;

#[tokio::test]
async fn shutdown_closes_sockets_and_stops_serving_promptly() {
    let api = Api::new().await;
    let url = format!(
        "{}?api_key={}",
        api.sb.ws_url(),
        api.sb.config().socket_api_key
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    assert!(api.get("/Task").await.status().is_success());
    let fhir = api.url("/Task");
    let started = Instant::now();
    let Api { sb, token, http } = api;
    sb.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    let closed = tokio::time::timeout(Duration::from_secs(2), ws.next())
        .await
        .unwrap();
    assert!(!matches!(
        closed,
        Some(Ok(tokio_tungstenite::tungstenite::Message::Text(_)))
    ));
    assert!(http.get(fhir).bearer_auth(token).send().await.is_err());
}

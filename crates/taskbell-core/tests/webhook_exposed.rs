//! The webhook endpoint as a tunnel exposes it, over real HTTP on loopback: a client that
//! trickles its body is cut off, a crowd beyond the in-flight bound hears 503 instead of
//! queueing, and a failure on our side answers without internal detail.
//!
//! Raw TCP where the exact bytes matter (half a body; `Expect: 100-continue`, whose interim
//! answer proves the server holds the request, so the bound is tested without timing). The
//! bounds are the endpoint's own, so an in-memory sink is behind it; a storage failure needs
//! the real store.

use std::sync::Arc;
use std::time::{Duration, Instant};
use taskbell_core::inbox::sink::MemorySink;
use taskbell_core::inbox::webhook::{self, WebhookConfig, WebhookServer};
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "tb-7f3c2a9e";

fn config(tune: impl FnOnce(&mut WebhookConfig)) -> WebhookConfig {
    let mut config = WebhookConfig::new("test-clinic");
    config.port = 0;
    config.bearer = Some(TOKEN.into());
    tune(&mut config);
    config
}

struct Endpoint {
    sink: Arc<MemorySink>,
    server: WebhookServer,
}

async fn endpoint(tune: impl FnOnce(&mut WebhookConfig)) -> Endpoint {
    let sink = Arc::new(MemorySink::new());
    let server = webhook::start(config(tune), sink.clone())
        .await
        .expect("start");
    Endpoint { sink, server }
}

struct StoreEndpoint {
    _dir: tempfile::TempDir,
    server: WebhookServer,
}

async fn store_endpoint() -> StoreEndpoint {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(
        &dir.path().join("taskbell.db"),
        Arc::new(MemoryNotifier::default()),
    )
    .expect("engine");
    let server = webhook::start(config(|_| {}), engine).await.expect("start");
    StoreEndpoint { _dir: dir, server }
}

fn example(name: &str) -> Vec<u8> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../canvas-plugin/schema/examples");
    std::fs::read(dir.join(name)).expect("example payload")
}

fn head(length: usize, extra: &str) -> String {
    format!(
        "POST /hooks/canvas HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n\
         authorization: Bearer {TOKEN}\r\ncontent-length: {length}\r\n{extra}\r\n"
    )
}

/// Reads until `marker` has arrived (or the peer hangs up), within `limit`.
async fn read_until(conn: &mut TcpStream, marker: &str, limit: Duration) -> String {
    let mut got = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        while !String::from_utf8_lossy(&got).contains(marker) {
            match conn.read(&mut buf).await.expect("read") {
                0 => break,
                n => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(limit, read)
        .await
        .unwrap_or_else(|_| panic!("no {marker:?} within {limit:?}"));
    String::from_utf8_lossy(&got).into_owned()
}

#[tokio::test]
async fn a_client_that_sends_half_a_body_is_cut_off_with_408() {
    let ep = endpoint(|c| c.request_timeout = Duration::from_millis(400)).await;
    let body = example("created.json");
    let mut conn = TcpStream::connect(ep.server.local_addr())
        .await
        .expect("connect");
    let started = Instant::now();
    conn.write_all(head(body.len(), "").as_bytes())
        .await
        .expect("head");
    conn.write_all(&body[..body.len() / 2])
        .await
        .expect("half a body");

    let answer = read_until(&mut conn, "\r\n\r\n", Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "answered after {:?}",
        started.elapsed()
    );
    // Then the server hangs up: the rest of the body is not awaited.
    let rest = tokio::time::timeout(Duration::from_secs(10), async {
        let mut rest = Vec::new();
        conn.read_to_end(&mut rest).await.map(|_| rest)
    })
    .await
    .expect("the server closed the connection");
    let whole = format!(
        "{answer}{}",
        String::from_utf8_lossy(&rest.unwrap_or_default())
    );
    assert!(whole.contains(r#""error":"#), "{whole}");
    assert_eq!(ep.sink.offered(), 0);
}

#[tokio::test]
async fn past_the_in_flight_bound_the_answer_is_503_with_retry_after() {
    let ep = endpoint(|c| c.max_in_flight = 1).await;
    let url = format!("{}/hooks/canvas", ep.server.local_url());
    let body = example("created.json");

    // One delivery held open: the interim 100 comes once its handler reads the body.
    let mut held = TcpStream::connect(ep.server.local_addr())
        .await
        .expect("connect");
    held.write_all(head(body.len(), "expect: 100-continue\r\n").as_bytes())
        .await
        .expect("head");
    let interim = read_until(&mut held, "\r\n\r\n", Duration::from_secs(10)).await;
    assert!(interim.starts_with("HTTP/1.1 100"), "{interim}");

    let http = reqwest::Client::new();
    let post = || {
        http.post(&url)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(example("completed.json"))
            .send()
    };
    let refused = post().await.expect("answer");
    assert_eq!(refused.status().as_u16(), 503);
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let reason: serde_json::Value = refused.json().await.expect("json");
    assert_eq!(
        reason["error"],
        "too many deliveries at once; try again shortly"
    );

    // The held delivery completes, and its place is free again.
    held.write_all(&body).await.expect("body");
    let done = read_until(&mut held, "\"stored\":true", Duration::from_secs(10)).await;
    assert!(done.contains("HTTP/1.1 200"), "{done}");
    assert_eq!(post().await.expect("answer").status().as_u16(), 200);
    assert_eq!(ep.sink.events().len(), 2);
}

#[tokio::test]
async fn a_storage_failure_answers_a_fixed_sentence() {
    let ep = store_endpoint().await;
    // Another connection to the same file, as another process would hold.
    rusqlite::Connection::open(ep._dir.path().join("taskbell.db"))
        .and_then(|c| {
            c.execute_batch(
                "CREATE TRIGGER refuse BEFORE INSERT ON task_events \
                 BEGIN SELECT RAISE(ABORT, 'disk on fire at /home/clinic/taskbell.db'); END;",
            )
        })
        .expect("install failing trigger");
    let answer = reqwest::Client::new()
        .post(format!("{}/hooks/canvas", ep.server.local_url()))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {TOKEN}"))
        .body(example("completed.json"))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status().as_u16(), 503);
    let text = answer.text().await.expect("body");
    let body: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(body, serde_json::json!({"error": webhook::STORE_FAILED}));
    for leaked in [
        "disk on fire",
        "/home/clinic",
        "task_events",
        "trigger",
        "sqlite",
        "SQLITE",
    ] {
        assert!(!text.contains(leaked), "{leaked} in {text}");
    }
}

//! Ingest benchmark: signed deliveries over loopback at 32 connections into the real webhook
//! endpoint (signature check, parse, durable grouped commit), beside a bare endpoint of the same
//! stack (axum on tokio) that answers 204 without doing any work. Prints events/s, p50 and p99
//! latency for both, and the ratio.
//!
//! `cargo bench -p taskbell-core --bench ingest` (the Makefile's `make bench` runs it).

use axum::http::StatusCode;
use axum::routing::post;
use base64::Engine as _;
use std::sync::Arc;
use std::time::{Duration, Instant};
use taskbell_core::inbox::signature::SigningKey;
use taskbell_core::inbox::webhook::{self, WebhookConfig};
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::Engine;

const CONNECTIONS: usize = 32;

fn seconds() -> Duration {
    let s = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    Duration::from_secs(s)
}

struct Figures {
    events: usize,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
}

impl Figures {
    fn rate(&self) -> f64 {
        self.events as f64 / self.elapsed.as_secs_f64()
    }
}

fn body(id: &str, n: usize) -> String {
    serde_json::json!({
        "version": 1, "event_id": id, "event": if n % 2 == 0 { "updated" } else { "completed" },
        "occurred_at": "2026-11-22T10:00:00.000+00:00",
        "task": {"id": format!("task-{}", n % 5000), "title": "Call the pharmacy about the refill", "status":
                 if n % 2 == 0 { "open" } else { "completed" }, "due": null, "labels": ["Refill"]},
        "creator": {"id": "4150cd20de8a470aa570a852859ac87e", "first_name": "Jane", "last_name": "Smith"},
        "assignee": {"staff": {"id": "a02cbf4d9a5c4e6b8f1d2e3c4b5a6978", "first_name": "Nora", "last_name": "Johnson"}, "team": null},
        "actor": null
    })
    .to_string()
}

async fn load(url: String, key: Arc<SigningKey>, duration: Duration) -> Figures {
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|w| {
            let (url, key) = (url.clone(), key.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().expect("client");
                let mut latencies = Vec::new();
                let mut n = w;
                while started.elapsed() < duration {
                    let id = uuid::Uuid::new_v4().to_string();
                    let body = body(&id, n);
                    n += CONNECTIONS;
                    let mut request = client.post(&url).header("content-type", "application/json");
                    for (name, value) in key.headers(&id, body.as_bytes()) {
                        request = request.header(name, value);
                    }
                    let sent = Instant::now();
                    let answer = request
                        .body(body)
                        .send()
                        .await
                        .expect("delivery");
                    assert!(answer.status().is_success(), "answer {}", answer.status());
                    latencies.push(sent.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    all.sort();
    let at = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Figures { events: all.len(), elapsed, p50: at(0.50), p99: at(0.99) }
}

async fn bare_endpoint() -> (String, tokio::task::JoinHandle<()>) {
    let app = axum::Router::new().route("/hooks/canvas", post(|| async { StatusCode::NO_CONTENT }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hooks/canvas", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

fn print(name: &str, f: &Figures) {
    println!(
        "{name:<6} {:>8.0} events/s   p50 {:>6.2} ms   p99 {:>6.2} ms   ({} events in {:.1} s)",
        f.rate(),
        f.p50.as_secs_f64() * 1e3,
        f.p99.as_secs_f64() * 1e3,
        f.events,
        f.elapsed.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let secret = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode([7u8; 24]));
    let key = Arc::new(SigningKey::from_secret(&secret).expect("secret"));
    let duration = seconds();

    let (bare_url, bare_task) = bare_endpoint().await;
    let bare = load(bare_url, key.clone(), duration).await;
    bare_task.abort();

    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(&dir.path().join("bench.db"), Arc::new(MemoryNotifier::default())).expect("engine");
    let mut cfg = WebhookConfig::new("bench");
    cfg.port = 0;
    cfg.secret = Some(secret);
    let server = webhook::start(cfg, engine.clone()).await.expect("endpoint");
    let real = load(format!("{}/hooks/canvas", server.local_url()), key, duration).await;
    let stored = engine.read(|s| s.event_count()).await.expect("count");
    assert_eq!(stored as usize, real.events, "every acknowledged delivery is stored");
    server.shutdown().await;

    println!("ingest benchmark: {CONNECTIONS} connections, {} s each, signed deliveries over loopback", duration.as_secs());
    print("bare", &bare);
    print("real", &real);
    println!("ratio real/bare: {:.2} (target >= 0.6); real p99 {:.2} ms (target < 20 ms)", real.rate() / bare.rate(), real.p99.as_secs_f64() * 1e3);
}

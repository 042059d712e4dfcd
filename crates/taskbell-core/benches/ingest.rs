//! Ingest benchmark: signed deliveries over loopback at 32 connections into the real webhook
//! endpoint (signature check, parse, durable grouped commit), beside a bare endpoint of the same
//! stack (axum on tokio) that answers 204 without doing any work. Prints events/s, p50 and p99
//! latency for both, and the ratio.
//!
//! A third endpoint, "checked", does everything the real one does but store (body, signature,
//! parse, answer), which shows how much of the gap is the store.
//!
//! The bare and checked endpoints run half their time before the real one and half after, so a
//! machine that slows down or speeds up during the run (a shared VM does) weighs on all alike.
//! Before the second halves, the real endpoint's leftover work (the last checkpoint, the kernel's
//! writeback) is finished, so none of it lands in their figures. Each figure also names where the
//! CPU went: the async workers (the client and the HTTP side share them), the writer and the
//! checkpointer.
//!
//! `cargo bench -p taskbell-core --bench ingest` (the Makefile's `make bench` runs it).

use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine as _;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use taskbell_core::inbox::payload::{self, Delivery};
use taskbell_core::inbox::signature::{self, Signed, SigningKey};
use taskbell_core::task::Source;
use taskbell_core::inbox::webhook::{self, WebhookConfig};
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::Engine;

const CONNECTIONS: usize = 32;

/// Seconds per endpoint.
fn seconds() -> Duration {
    let s = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    Duration::from_secs(s)
}

#[derive(Default)]
struct Figures {
    latencies: Vec<Duration>,
    elapsed: Duration,
    /// CPU seconds per thread name, over this endpoint's runs.
    cpu: BTreeMap<String, f64>,
}

impl Figures {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn at(&self, q: f64) -> Duration {
        let all = &self.latencies;
        all[((all.len() as f64 * q) as usize).min(all.len() - 1)]
    }

    fn add_cpu(&mut self, before: &BTreeMap<String, f64>, after: &BTreeMap<String, f64>) {
        for (name, s) in after {
            *self.cpu.entry(name.clone()).or_default() += s - before.get(name).copied().unwrap_or(0.0);
        }
    }
}

/// CPU seconds so far of each of this process's threads, summed by thread name.
fn thread_cpu() -> BTreeMap<String, f64> {
    let ticks = 100.0; // USER_HZ, fixed at 100 on Linux
    let mut by_name = BTreeMap::new();
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else { return by_name };
    for entry in dir.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let time = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
        *by_name.entry(stat[open + 1..close].to_string()).or_default() += (time(11) + time(12)) / ticks;
    }
    by_name
}

const TASKS: usize = 5000;

/// The `n`th delivery: task `n % TASKS`, completed on odd passes over the tasks and reopened on
/// even ones, so after the first pass every event is a real status transition.
fn body(id: &str, n: usize) -> String {
    let completed = (n / TASKS) % 2 == 1;
    serde_json::json!({
        "version": 1, "event_id": id, "event": if completed { "completed" } else { "updated" },
        "occurred_at": "2026-11-22T10:00:00.000+00:00",
        "task": {"id": format!("task-{}", n % TASKS), "title": "Call the pharmacy about the refill", "status":
                 if completed { "completed" } else { "open" }, "due": null, "labels": ["Refill"]},
        "creator": {"id": "4150cd20de8a470aa570a852859ac87e", "first_name": "Jane", "last_name": "Smith"},
        "assignee": {"staff": {"id": "a02cbf4d9a5c4e6b8f1d2e3c4b5a6978", "first_name": "Nora", "last_name": "Johnson"}, "team": null},
        "actor": null
    })
    .to_string()
}

/// Every connection sends to `url` back to back for `duration`.
async fn load(url: &str, key: &Arc<SigningKey>, duration: Duration, into: &mut Figures) {
    let before = thread_cpu();
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|w| {
            let (url, key) = (url.to_string(), key.clone());
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
    for w in workers {
        into.latencies.extend(w.await.expect("worker"));
    }
    into.elapsed += started.elapsed();
    into.add_cpu(&before, &thread_cpu());
}

/// The bare endpoint: answers 204 without doing any work.
fn bare() -> axum::Router {
    axum::Router::new().route("/hooks/canvas", post(|| async { StatusCode::NO_CONTENT }))
}

/// Everything the real endpoint does before it stores: reads the body, checks the signature,
/// parses the payload, answers as the real one does. Not part of the ratio; it shows how much of
/// the gap is the store.
fn checked(key: Arc<SigningKey>) -> axum::Router {
    let handler = move |headers: HeaderMap, body: Bytes| async move {
        let signed = Signed::from_headers(&headers).expect("signed");
        key.verify(&signed, &body, signature::unix_now(), signature::DEFAULT_TOLERANCE).expect("signature");
        let delivery = Delivery { source: Source::Webhook, transport_id: Some(signed.id) };
        let event = payload::parse_canvas("bench", &body, delivery).expect("payload");
        std::hint::black_box(event);
        (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], r#"{"stored":true,"duplicate":false}"#)
    };
    axum::Router::new().route("/hooks/canvas", post(handler))
}

async fn serve(app: axum::Router) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hooks/canvas", listener.local_addr().expect("addr"));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}

fn print(name: &str, f: &Figures) {
    println!(
        "{name:<7} {:>8.0} events/s   p50 {:>6.2} ms   p99 {:>6.2} ms   ({} events in {:.1} s)",
        f.rate(),
        f.at(0.50).as_secs_f64() * 1e3,
        f.at(0.99).as_secs_f64() * 1e3,
        f.latencies.len(),
        f.elapsed.as_secs_f64()
    );
    let per_event = |s: f64| s * 1e6 / f.latencies.len() as f64;
    let parts: Vec<String> = f
        .cpu
        .iter()
        .filter(|(_, s)| **s > 0.0)
        .map(|(name, s)| format!("{name} {:.1}", per_event(*s)))
        .collect();
    println!("       CPU per event {:.1} µs: {}", per_event(f.cpu.values().sum()), parts.join(", "));
}

/// Finishes what the real endpoint left for later: copies the WAL into the database and has the
/// kernel write its dirty pages.
fn settle(db: &std::path::Path) {
    let conn = rusqlite::Connection::open(db).expect("database");
    conn.busy_timeout(Duration::from_secs(10)).expect("busy timeout");
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).expect("checkpoint");
    let synced = std::process::Command::new("sync").status().expect("sync");
    assert!(synced.success(), "sync failed");
}

#[tokio::main]
async fn main() {
    let secret = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode([7u8; 24]));
    let key = Arc::new(SigningKey::from_secret(&secret).expect("secret"));
    let duration = seconds();

    let (bare_url, bare_task) = serve(bare()).await;
    let (checked_url, checked_task) = serve(checked(key.clone())).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(&dir.path().join("bench.db"), Arc::new(MemoryNotifier::default())).expect("engine");
    let mut cfg = WebhookConfig::new("bench");
    cfg.port = 0;
    cfg.secret = Some(secret);
    let server = webhook::start(cfg, engine.clone()).await.expect("endpoint");
    let real_url = format!("{}/hooks/canvas", server.local_url());
    let (mut bare, mut checked, mut real) = (Figures::default(), Figures::default(), Figures::default());
    load(&bare_url, &key, duration / 2, &mut bare).await;
    load(&checked_url, &key, duration / 2, &mut checked).await;
    load(&real_url, &key, duration, &mut real).await;
    settle(&dir.path().join("bench.db"));
    load(&checked_url, &key, duration / 2, &mut checked).await;
    load(&bare_url, &key, duration / 2, &mut bare).await;
    bare_task.abort();
    checked_task.abort();
    for f in [&mut bare, &mut checked, &mut real] {
        f.latencies.sort();
    }
    let stored = engine.read(|s| s.event_count()).await.expect("count");
    assert_eq!(stored as usize, real.latencies.len(), "every acknowledged delivery is stored");
    server.shutdown().await;

    println!("ingest benchmark: {CONNECTIONS} connections, {} s each (bare and checked: half before, half after), signed deliveries over loopback", duration.as_secs());
    print("bare", &bare);
    print("checked", &checked);
    print("real", &real);
    println!("ratio real/bare: {:.2} (target >= 0.6); real p99 {:.2} ms (target < 20 ms)", real.rate() / bare.rate(), real.at(0.99).as_secs_f64() * 1e3);
}

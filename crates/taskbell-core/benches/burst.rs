//! Burst: what a clinic's busy minute feels like. 10 000 Standard Webhooks-signed deliveries of
//! the companion plugin's version 2 payload, from 32 connections sending back to back, into
//! Taskbell's real webhook endpoint, started the way the app starts it: settings in webhook mode
//! turned into a runtime plan, `Runtime::start`, the embedded sandbox as the Canvas behind it,
//! and the store on a SQLite file on disk (WAL, `synchronous=FULL`, one writer).
//!
//! Every delivery must be acknowledged (2xx), and afterwards found in the database with a plain
//! SQLite connection: `task_events` counted by `delivery_key = 'relay:<event_id>'`, once each.
//! Prints events/s and the latency a sender sees (send to answer): p50, p99, max.
//!
//! The deliveries follow tasks through their lives as the plugin reports them: `created`,
//! `updated`, `commented`, then `completed` or `closed`, each with Canvas's `task.modified` a
//! second later than the one before, built from the schema's own examples
//! (`canvas-plugin/schema/examples/*.json`). Each connection owns its tasks and sends their
//! events in order, so every event is news and the last one a real status transition.
//!
//! The load generator runs in this process on a runtime of its own (one thread) and shares the
//! machine's cores with the endpoint, as a tunnel client on the same desktop would.
//!
//! `cargo bench -p taskbell-core --bench burst` (in `make bench`). BENCH_DELIVERIES changes the
//! count, for quicker runs while working on it.

use canvas_sandbox::{Sandbox, SandboxConfig, WebhookTarget};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use taskbell_core::inbox::signature::SigningKey;
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::runtime::Runtime;
use taskbell_core::secrets::new_webhook_secret;
use taskbell_core::settings::{AppSettings, ReceiveMode, SandboxEndpoints, SecretName};
use taskbell_core::Engine;
use time::OffsetDateTime;

const CONNECTIONS: usize = 32;
const DELIVERIES: usize = 10_000;
/// Target: what a sender waits for, at the 99th percentile.
const P99_TARGET: Duration = Duration::from_millis(50);

/// A task's life as the plugin reports it; the last event alternates between the two endings.
const LIFE: [&str; 4] = ["created", "updated", "commented", "completed"];

fn deliveries() -> usize {
    std::env::var("BENCH_DELIVERIES")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(DELIVERIES)
}

/// The target directory this bench was built into (…/target/release/deps/burst-…).
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("this bench's path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir)
}

/// The schema's examples, by event name: every delivery is one of them with its ids and times
/// replaced, so the bench sends what the plugin sends.
struct Examples(HashMap<&'static str, Value>);

impl Examples {
    fn load() -> Examples {
        let read = |text: &str| serde_json::from_str::<Value>(text).expect("an example payload");
        Examples(HashMap::from([
            (
                "created",
                read(include_str!(
                    "../../../canvas-plugin/schema/examples/created.json"
                )),
            ),
            (
                "updated",
                read(include_str!(
                    "../../../canvas-plugin/schema/examples/updated.json"
                )),
            ),
            (
                "commented",
                read(include_str!(
                    "../../../canvas-plugin/schema/examples/commented.json"
                )),
            ),
            (
                "completed",
                read(include_str!(
                    "../../../canvas-plugin/schema/examples/completed.json"
                )),
            ),
            (
                "closed",
                read(include_str!(
                    "../../../canvas-plugin/schema/examples/closed.json"
                )),
            ),
        ]))
    }
}

/// One delivery: its event id (also its `webhook-id`), its task, and the signed body.
struct Delivery {
    event_id: String,
    body: Vec<u8>,
}

fn rfc3339_micros(t: OffsetDateTime) -> String {
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+00:00"
    );
    t.format(&f).expect("a UTC time formats")
}

/// Step `step` of task `n`'s life, `modified` by Canvas at `base` + `step` seconds (+ `n` µs, so
/// no two tasks share a time).
fn delivery(ex: &Examples, n: usize, step: usize, base: OffsetDateTime) -> Delivery {
    let event = match LIFE[step] {
        "completed" if n % 4 == 3 => "closed",
        e => e,
    };
    let mut v = ex.0[event].clone();
    let event_id = uuid::Uuid::new_v4().to_string();
    let modified = base + Duration::from_secs(step as u64) + Duration::from_micros(n as u64);
    v["event_id"] = Value::from(event_id.clone());
    v["occurred_at"] = Value::from(rfc3339_micros(modified + Duration::from_millis(400)));
    let task = &mut v["task"];
    task["id"] = Value::from(task_id(n));
    task["title"] = Value::from(format!("Call the pharmacy about refill #{n}"));
    task["modified"] = Value::from(rfc3339_micros(modified));
    if event == "commented" {
        v["comment"]["id"] = Value::from(uuid::Uuid::new_v4().to_string());
    }
    Delivery {
        event_id,
        body: serde_json::to_vec(&v).expect("a payload serializes"),
    }
}

fn task_id(n: usize) -> String {
    format!("5f72fbcc-10ac-48ff-a2d2-{n:012}")
}

/// Each connection's deliveries in the order it sends them: its tasks' first events, then their
/// second, and so on, so a task's events arrive in order.
fn plan(total: usize) -> Vec<Vec<Delivery>> {
    let ex = Examples::load();
    let tasks = total.div_ceil(LIFE.len());
    let base = OffsetDateTime::now_utc() - Duration::from_secs(3600);
    let mut per_connection: Vec<Vec<Delivery>> = (0..CONNECTIONS).map(|_| Vec::new()).collect();
    let mut made = 0;
    'steps: for step in 0..LIFE.len() {
        for n in 0..tasks {
            if made == total {
                break 'steps;
            }
            per_connection[n % CONNECTIONS].push(delivery(&ex, n, step, base));
            made += 1;
        }
    }
    per_connection
}

/// What each connection saw: per delivery, its event id and how long the answer took.
struct Sent {
    event_id: String,
    latency: Duration,
}

/// Every connection sends its deliveries back to back; panics on any answer but 2xx.
async fn load(
    url: String,
    key: Arc<SigningKey>,
    work: Vec<Vec<Delivery>>,
) -> (Vec<Sent>, Duration) {
    let started = Instant::now();
    let connections: Vec<_> = work
        .into_iter()
        .map(|deliveries| {
            let (url, key) = (url.clone(), key.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .no_proxy()
                    .pool_max_idle_per_host(1)
                    .timeout(Duration::from_secs(30))
                    .build()
                    .expect("client");
                let mut sent = Vec::with_capacity(deliveries.len());
                for d in deliveries {
                    let from = Instant::now();
                    let mut request = client.post(&url).header("content-type", "application/json");
                    for (name, value) in key.headers(&d.event_id, &d.body) {
                        request = request.header(name, value);
                    }
                    let answer = request
                        .body(d.body)
                        .send()
                        .await
                        .expect("a delivery reaches the endpoint");
                    let status = answer.status();
                    let text = answer.text().await.unwrap_or_default();
                    assert!(
                        status.is_success(),
                        "the endpoint answered {status}: {text}"
                    );
                    sent.push(Sent {
                        event_id: d.event_id,
                        latency: from.elapsed(),
                    });
                }
                sent
            })
        })
        .collect();
    let mut all = Vec::new();
    for c in connections {
        all.extend(c.await.expect("a connection's task"));
    }
    (all, started.elapsed())
}

/// The endpoint as the app starts it in webhook mode with the sandbox as its Canvas.
async fn start_app(db: &Path, port: u16, secret: &str) -> (Runtime, Sandbox) {
    let target = WebhookTarget {
        url: format!("http://127.0.0.1:{port}/hooks/canvas"),
        secret: secret.to_string(),
        bearer: None,
    };
    let sandbox = Sandbox::start(SandboxConfig {
        port: 0,
        webhook: Some(target),
        ..Default::default()
    })
    .await
    .expect("sandbox");
    let c = sandbox.config();
    let endpoints = SandboxEndpoints {
        fhir_base: sandbox.fhir_base(),
        token_url: sandbox.token_url(),
        client_id: c.client_id.clone(),
        client_secret: c.client_secret.clone(),
        socket_url: sandbox.ws_url(),
        socket_api_key: c.socket_api_key.clone(),
        requester: sandbox.clinic().requester,
        webhook_secret: Some(secret.to_string()),
    };
    let mut settings = AppSettings::default();
    settings.receive.mode = ReceiveMode::Webhook;
    settings.receive.webhook_port = port.into();
    let secrets =
        |name: SecretName| (name == SecretName::WebhookSecret).then(|| secret.to_string());
    let plan = settings
        .plan(secrets, Some(&endpoints))
        .expect("a webhook-mode plan");
    let engine = Engine::open(db, Arc::new(MemoryNotifier::default())).expect("engine");
    engine.set_prefs(plan.prefs.clone());
    engine.set_me(plan.me.clone());
    let runtime = Runtime::start(engine, plan.config).await.expect("runtime");
    (runtime, sandbox)
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}

/// Median time of a 4 KiB write followed by fdatasync in `dir`: what one durable commit costs
/// this disk at the least.
fn fsync_probe(dir: &Path) -> Duration {
    let path = dir.join("fsync-probe");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(&path)
        .expect("probe file");
    let page = [0x5au8; 4096];
    let mut times: Vec<Duration> = (0..100)
        .map(|i| {
            let from = Instant::now();
            f.seek(SeekFrom::Start((i % 8) * 4096)).expect("seek");
            f.write_all(&page).expect("write");
            f.sync_data().expect("fdatasync");
            from.elapsed()
        })
        .collect();
    let _ = std::fs::remove_file(&path);
    times.sort();
    times[times.len() / 2]
}

/// Every acknowledged delivery, looked for in the database through a connection of its own.
fn check_stored(db: &Path, sent: &[Sent]) -> (usize, Vec<(String, i64)>) {
    let conn = rusqlite::Connection::open(db).expect("database");
    let mut counts: HashMap<String, i64> = HashMap::new();
    let mut stmt = conn
        .prepare("SELECT delivery_key, count(*) FROM task_events GROUP BY delivery_key")
        .expect("query");
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .expect("rows");
    for row in rows {
        let (key, n) = row.expect("a row");
        counts.insert(key, n);
    }
    let missing_or_doubled = sent
        .iter()
        .filter(|s| counts.get(&format!("relay:{}", s.event_id)) != Some(&1))
        .count();
    let mut statuses = conn
        .prepare("SELECT status, count(*) FROM tasks GROUP BY status ORDER BY status")
        .expect("query");
    let by_status = statuses
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .expect("rows")
        .collect::<Result<Vec<_>, _>>()
        .expect("statuses");
    (missing_or_doubled, by_status)
}

fn at(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let total = deliveries();
    let work_dir = target_dir().join("bench-burst");
    std::fs::create_dir_all(&work_dir).expect("bench directory");
    let dir = tempfile::tempdir_in(&work_dir).expect("tempdir");
    let db = dir.path().join("taskbell.db");
    let fsync = fsync_probe(dir.path());
    let secret = new_webhook_secret();
    let key = Arc::new(SigningKey::from_secret(&secret).expect("secret"));
    let port = free_port();
    let work = plan(total);

    // The app's side: a multi-threaded runtime with a worker per core, as Tauri's.
    let app_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("app runtime");
    let (runtime, sandbox) = app_rt.block_on(start_app(&db, port, &secret));
    // The first reconcile with the sandbox happens at start; let it finish.
    std::thread::sleep(Duration::from_secs(2));

    let url = format!("http://127.0.0.1:{port}/hooks/canvas");
    let sender = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("load runtime");
        rt.block_on(load(url, key, work))
    });
    let (sent, elapsed) = sender.join().expect("the load generator");
    app_rt.block_on(async {
        runtime.shutdown().await;
        sandbox.shutdown().await;
    });
    drop(app_rt);

    let (bad, by_status) = check_stored(&db, &sent);
    let mut latencies: Vec<Duration> = sent.iter().map(|s| s.latency).collect();
    latencies.sort();
    let (p50, p99, max) = (
        at(&latencies, 50.0),
        at(&latencies, 99.0),
        latencies[latencies.len() - 1],
    );
    let rate = sent.len() as f64 / elapsed.as_secs_f64();
    let statuses: Vec<String> = by_status.iter().map(|(s, n)| format!("{n} {s}")).collect();

    println!("burst: {} signed relay deliveries (version 2) from {CONNECTIONS} connections into the webhook endpoint", sent.len());
    println!("  store: {} (WAL, synchronous=FULL); a 4 KiB write + fdatasync there takes {} (median of 100)", db.display(), ms(fsync));
    println!(
        "  {rate:.0} events/s ({} in {:.2} s); send to answer p50 {} p99 {} max {}",
        sent.len(),
        elapsed.as_secs_f64(),
        ms(p50),
        ms(p99),
        ms(max)
    );
    println!(
        "  stored: {} of {} acknowledged deliveries found once by delivery_key; tasks {}",
        sent.len() - bad,
        sent.len(),
        statuses.join(", ")
    );
    println!();
    println!("| events/s | p50 | p99 | max | all stored | target p99 < 50 ms |");
    println!("| ---: | ---: | ---: | ---: | --- | --- |");
    let verdict = if p99 < P99_TARGET && bad == 0 {
        "met"
    } else {
        "**not met**"
    };
    println!(
        "| {rate:.0} | {} | {} | {} | {} | {verdict} |",
        ms(p50),
        ms(p99),
        ms(max),
        if bad == 0 { "yes" } else { "**no**" }
    );
    assert_eq!(
        bad, 0,
        "every acknowledged delivery is in the database exactly once"
    );
}

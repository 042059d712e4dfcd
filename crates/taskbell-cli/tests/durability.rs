//! Every acknowledged webhook survives the process being killed: `taskbell-cli serve` runs as a
//! child, signed deliveries arrive from many connections, the child is SIGKILLed mid-stream and
//! restarted, and every delivery that got a 2xx must be in the database.

use base64::Engine as _;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use taskbell_core::inbox::signature::SigningKey;
use taskbell_core::store::Store;

const CONNECTIONS: usize = 16;
const ROUNDS: usize = 5;

struct Server {
    child: Child,
    url: String,
}

fn start(db: &std::path::Path, secret: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taskbell-cli"))
        .args([
            "serve",
            "--receive",
            "webhook",
            "--webhook-port",
            "0",
            "--notify",
            "log",
            "--db",
        ])
        .arg(db)
        .env("TASKBELL_WEBHOOK_SECRET", secret)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("taskbell-cli starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut url = None;
    for line in lines.by_ref() {
        let line = line.expect("read stdout");
        if let Some(u) = line.strip_prefix("webhook endpoint: ") {
            url = Some(u.to_string());
        }
        if line.starts_with("ready:") {
            break;
        }
    }
    // Keep draining so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        url: url.expect("the endpoint URL was printed"),
    }
}

fn payload(event_id: &str, task: usize) -> String {
    serde_json::json!({
        "version": 1, "event_id": event_id, "event": "completed",
        "occurred_at": "2026-11-22T10:00:00.000+00:00",
        "task": {"id": format!("task-{task}"), "title": "Fax the referral", "status": "completed", "due": null, "labels": []},
        "creator": null, "assignee": {"staff": null, "team": null}, "actor": null
    })
    .to_string()
}

/// Sends signed deliveries from one connection until the server goes away; returns the ids
/// that were acknowledged.
async fn sender(url: String, key: Arc<SigningKey>, acked: Arc<Mutex<Vec<String>>>) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .expect("client");
    loop {
        let id = uuid::Uuid::new_v4().to_string();
        let body = payload(&id, rand::random::<usize>() % 50);
        let mut request = client.post(&url).header("content-type", "application/json");
        for (name, value) in key.headers(&id, body.as_bytes()) {
            request = request.header(name, value);
        }
        let sent = request
            .body(body)
            .timeout(Duration::from_secs(5))
            .send()
            .await;
        match sent {
            Ok(r) if r.status().is_success() => acked.lock().expect("lock").push(id),
            Ok(r) => panic!("unexpected answer {}", r.status()),
            Err(_) => return,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_events_survive_sigkill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("taskbell.db");
    let secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 24]>())
    );
    let key = Arc::new(SigningKey::from_secret(&secret).expect("secret"));
    let acked = Arc::new(Mutex::new(Vec::new()));

    for round in 0..ROUNDS {
        let mut server = start(&db, &secret);
        let url = server.url.clone();
        let before = acked.lock().expect("lock").len();
        let senders: Vec<_> = (0..CONNECTIONS)
            .map(|_| tokio::spawn(sender(url.clone(), key.clone(), acked.clone())))
            .collect();
        // Let deliveries flow, then kill without warning once some have been acknowledged.
        let started = Instant::now();
        while acked.lock().expect("lock").len() < before + 200
            && started.elapsed() < Duration::from_secs(30)
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(50 + 40 * round as u64)).await;
        server.child.kill().expect("SIGKILL");
        server.child.wait().expect("reaped");
        for s in senders {
            s.await.expect("sender");
        }
        assert!(
            acked.lock().expect("lock").len() > before,
            "round {round}: nothing was acknowledged"
        );
    }

    // A restart after the last kill opens the database cleanly.
    let mut server = start(&db, &secret);
    server.child.kill().expect("kill");
    server.child.wait().expect("reaped");

    // Opening through the store first recovers the WAL as the app would; then count apart from it.
    Store::open(&db).expect("open after kills");
    let conn = rusqlite::Connection::open(&db).expect("a plain connection");
    let acked = acked.lock().expect("lock").clone();
    let mut missing = Vec::new();
    for id in &acked {
        let key = format!("relay:{id}");
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM task_events WHERE delivery_key = ?1",
                [&key],
                |r| r.get(0),
            )
            .expect("query");
        if n != 1 {
            missing.push(id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged events were lost",
        missing.len(),
        acked.len()
    );
    assert!(
        acked.len() >= ROUNDS * 200,
        "only {} events were acknowledged",
        acked.len()
    );
}

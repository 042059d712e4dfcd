//! Two processes on one database: `taskbell-cli serve` retrying its outbox while
//! `taskbell-cli create` sends a task through a slow Canvas. The entry is claimed in the database
//! before it is sent, so the serving process never sends it too: Canvas gets one task.

use canvas_sandbox::{Sandbox, SandboxConfig};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use taskbell_core::store::{OutboxState, Store};

fn cli(sb: &Sandbox, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_taskbell-cli"));
    c.args(args)
        .args([
            "--fhir-base",
            &sb.fhir_base(),
            "--token-url",
            &sb.token_url(),
        ])
        .args([
            "--client-id",
            &sb.config().client_id,
            "--requester",
            &sb.clinic().requester,
        ])
        .env("TASKBELL_CLIENT_SECRET", &sb.config().client_secret)
        .env("RUST_LOG", "warn");
    c
}

/// Starts `serve` and waits until it says it is ready.
fn serve(sb: &Sandbox, db: &std::path::Path) -> Child {
    let db = db.to_str().expect("utf-8 path");
    let mut child = cli(
        sb,
        &[
            "serve",
            "--receive",
            "poll",
            "--notify",
            "log",
            "--outbox-interval-secs",
            "1",
            "--db",
            db,
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .expect("taskbell-cli serve starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    assert!(
        lines
            .by_ref()
            .map_while(Result::ok)
            .any(|l| l.starts_with("ready:")),
        "serve never became ready"
    );
    std::thread::spawn(move || for _ in lines {});
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_beside_a_running_serve_reaches_canvas_once() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("taskbell.db");
    let mut server = serve(&sb, &db);

    // Each answer takes three of serve's outbox turns.
    sb.knobs().set_latency(Duration::from_secs(3));
    let create = cli(
        &sb,
        &[
            "create",
            "--db",
            db.to_str().expect("utf-8"),
            "Fax the referral to cardiology",
        ],
    )
    .output();
    let out = tokio::task::spawn_blocking(move || create)
        .await
        .expect("joined")
        .expect("create runs");
    sb.knobs().set_latency(Duration::ZERO);
    assert!(
        out.status.success(),
        "create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Give serve more turns, then look: one task in Canvas, one entry, created once.
    tokio::time::sleep(Duration::from_secs(3)).await;
    server.kill().expect("kill serve");
    server.wait().expect("reaped");
    assert_eq!(sb.task_count(), 1, "Canvas got the task more than once");
    let store = Store::open(&db).expect("open");
    let entries = store.outbox_open().expect("read");
    assert!(entries.is_empty(), "every entry was created: {entries:?}");
    let created: i64 = rusqlite::Connection::open(&db)
        .expect("a plain connection")
        .query_row(
            "SELECT count(*) FROM outbox WHERE state = ?1",
            [format!("{:?}", OutboxState::Created).to_lowercase()],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(created, 1);
}

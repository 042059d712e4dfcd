//! Event to Notify: Taskbell, tray-only, receives signed relay payloads (version 2, with Canvas's
//! `task.modified`: a state, not a hint to read the task) on its webhook endpoint
//! (sandbox connection, webhook mode, notifications for everyone's tasks), and the time from
//! sending each `completed` to the Notify call the bus carries for it is measured. Each task is
//! first `created`, then `completed`, and the next task waits a moment, so every completion is
//! measured alone rather than queued behind the previous one. Each task's description is unique
//! and the notification body starts with it, which is how a Notify is matched to its event.

use crate::apps::{self, Binaries, Which, Window};
use crate::notify_monitor::Monitor;
use crate::{procs, stats};
use anyhow::{bail, Context, Result};
use base64::Engine as _;
use rand::RngCore;
use serde_json::json;
use std::collections::HashMap;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use taskbell_core::inbox::signature::SigningKey;

/// Between a task's creation and its completion, and after the completion before the next task.
const AFTER_CREATED: Duration = Duration::from_millis(30);
const AFTER_COMPLETED: Duration = Duration::from_millis(100);
/// How long a completion may take to show before it counts as lost.
const NOTIFY_PATIENCE: Duration = Duration::from_secs(10);
/// Longer than dunst shows a notification (10 s), so every one has closed by then.
const AFTER_ALL_CLOSED: Duration = Duration::from_secs(15);

const CREATOR: &str = "4150cd20de8a470aa570a852859ac87e";
const ASSIGNEE: &str = "a02cbf4d9a5c4e6b8f1d2e3c4b5a6978";

pub struct LatencyFigures {
    pub sent: usize,
    /// Completion sent to its Notify call, for the completions that got one.
    pub notify: Vec<Duration>,
    /// Completion sent to the endpoint's answer (stored and committed).
    pub acked: Vec<Duration>,
    pub max_threads: u32,
    pub threads_before: u32,
    /// Once every notification has closed: the notifier waits on a thread for each open one.
    pub threads_after: u32,
}

impl LatencyFigures {
    pub fn lost(&self) -> usize {
        self.sent - self.notify.len()
    }
}

fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(l.local_addr()?.port())
}

/// settings.json as the app's settings store writes it (one key, "settings"), and the webhook
/// secret in the file secret store, which the app reads when no keychain answers.
fn configure(dir: &Path, port: u16, secret: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let settings = json!({"settings": {
        "connection": {"kind": "sandbox"},
        "receive": {"mode": "webhook", "webhook_port": port},
        "notify": {"scope": "everyone", "kinds": ["completed", "closed"], "show_patient": false, "sound": false}
    }});
    std::fs::write(
        dir.join("settings.json"),
        serde_json::to_vec_pretty(&settings)?,
    )?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(dir.join("secrets.json"))?;
    std::io::Write::write_all(
        &mut f,
        serde_json::to_vec(&json!({"webhook_secret": secret}))?.as_slice(),
    )?;
    Ok(())
}

fn rfc3339_now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Canvas's `modified` as the plugin writes it: UTC, six fraction digits, `+00:00`.
fn canvas_now() -> String {
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+00:00"
    );
    time::OffsetDateTime::now_utc()
        .format(&f)
        .unwrap_or_default()
}

fn payload(event: &str, task: &str, title: &str) -> Vec<u8> {
    let status = if event == "completed" {
        "completed"
    } else {
        "open"
    };
    let actor = if event == "completed" {
        ASSIGNEE
    } else {
        CREATOR
    };
    json!({
        "version": 2, "event_id": uuid::Uuid::new_v4().to_string(), "event": event, "occurred_at": rfc3339_now(),
        "task": {"id": task, "title": title, "status": status, "due": null, "labels": ["Refill"], "modified": canvas_now()},
        "creator": {"id": CREATOR, "first_name": "Jane", "last_name": "Smith"},
        "assignee": {"staff": {"id": ASSIGNEE, "first_name": "Nora", "last_name": "Johnson"}, "team": null},
        "actor": {"id": actor}
    })
    .to_string()
    .into_bytes()
}

async fn post(client: &reqwest::Client, url: &str, key: &SigningKey, body: Vec<u8>) -> Result<()> {
    let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
    let mut req = client.post(url).header("content-type", "application/json");
    for (name, value) in key.headers(&id, &body) {
        req = req.header(name, value);
    }
    let resp = req.body(body).send().await.context("sending a delivery")?;
    let status = resp.status();
    if !status.is_success() {
        bail!(
            "the endpoint answered {status}: {}",
            resp.text().await.unwrap_or_default()
        );
    }
    Ok(())
}

async fn wait_listening(client: &reqwest::Client, base: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status().is_success() {
                return Ok(());
            }
        }
        if Instant::now() >= deadline {
            bail!("the webhook endpoint at {base} did not answer within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

pub fn run(bins: &Binaries, root: &Path, events: usize) -> Result<LatencyFigures> {
    let dir = root.join("latency");
    let port = free_port()?;
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let secret = format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    );
    configure(&dir, port, &secret)?;
    let key = SigningKey::from_secret(&secret)?;
    let monitor = Monitor::start()?;
    let mut app = apps::start(bins, Which::Taskbell, Window::TrayOnly, &dir)?;
    let result = (|| {
        app.wait_tray_ready()?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(drive(&monitor, app.pid(), port, &key, events))
    })();
    let stopped = app.stop();
    let figures = result.with_context(|| format!("the app's log is {}", app_log(&dir)))?;
    stopped?;
    Ok(figures)
}

fn app_log(dir: &Path) -> String {
    dir.join("app.log").display().to_string()
}

async fn drive(
    monitor: &Monitor,
    pid: i32,
    port: u16,
    key: &SigningKey,
    events: usize,
) -> Result<LatencyFigures> {
    let base = format!("http://127.0.0.1:{port}");
    let url = format!("{base}/hooks/canvas");
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()?;
    wait_listening(&client, &base).await?;
    // The first reconcile with the sandbox and the notifier's probe happen just after launch.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let threads_before = procs::threads(pid).unwrap_or(0);
    let nonce = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let mut sent_at = Vec::with_capacity(events);
    let mut acked = Vec::with_capacity(events);
    let mut max_threads = threads_before;
    for i in 0..events {
        let task = format!("bench-{nonce}-{i:03}");
        let title = format!("Bench {nonce} #{i:03}: call the pharmacy about the refill");
        post(&client, &url, key, payload("created", &task, &title)).await?;
        tokio::time::sleep(AFTER_CREATED).await;
        let body = payload("completed", &task, &title);
        let (wall, from) = (unix_now(), Instant::now());
        post(&client, &url, key, body).await?;
        acked.push(from.elapsed());
        sent_at.push(wall);
        tokio::time::sleep(AFTER_COMPLETED).await;
        max_threads = max_threads.max(procs::threads(pid).unwrap_or(0));
    }
    let last_sent = Instant::now();
    let tag = format!("Bench {nonce} #");
    let seen = |calls: &[crate::notify_monitor::Call]| -> HashMap<usize, f64> {
        let mut first = HashMap::new();
        for c in calls {
            let Some(at) = c.args.find(&tag) else {
                continue;
            };
            let digits = &c.args[at + tag.len()..];
            if let Ok(i) = digits.get(..3).unwrap_or("").parse::<usize>() {
                first.entry(i).or_insert(c.time);
            }
        }
        first
    };
    let deadline = Instant::now() + NOTIFY_PATIENCE;
    let matched = loop {
        let m = seen(&monitor.calls("Notify"));
        if m.len() >= events || Instant::now() >= deadline {
            break m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let notify = (0..events)
        .filter_map(|i| {
            matched
                .get(&i)
                .map(|t| Duration::from_secs_f64((t - sent_at[i]).max(0.0)))
        })
        .collect();
    tokio::time::sleep(AFTER_ALL_CLOSED.saturating_sub(last_sent.elapsed())).await;
    let threads_after = procs::threads(pid).unwrap_or(0);
    let figures = LatencyFigures {
        sent: events,
        notify,
        acked,
        max_threads,
        threads_before,
        threads_after,
    };
    let (n, a) = (
        stats::sorted(figures.notify.clone()),
        stats::sorted(figures.acked.clone()),
    );
    println!(
        "  {} completions, {} notified: send→Notify p50 {} p99 {} max {}; send→stored p50 {} p99 {}; threads {} before, {} at most, {} once all closed",
        figures.sent,
        figures.notify.len(),
        stats::ms(stats::percentile(&n, 50.0)),
        stats::ms(stats::percentile(&n, 99.0)),
        stats::ms(n.last().copied().unwrap_or_default()),
        stats::ms(stats::percentile(&a, 50.0)),
        stats::ms(stats::percentile(&a, 99.0)),
        figures.threads_before,
        figures.max_threads,
        figures.threads_after
    );
    Ok(figures)
}

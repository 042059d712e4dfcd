//! Taskbell's two promises under a user's conditions rather than the suite's: a desktop clock
//! ten minutes off Canvas's, in every receive mode, and a Canvas slower than the outbox's turn.
//! Every completion and close reaches the user exactly once; every create reaches Canvas once.

mod common;

use canvas_sandbox::{Sandbox, SandboxConfig, WebhookTarget};
use common::{client_for, eventually};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use taskbell_core::canvas::TaskDraft;
use taskbell_core::engine::{CreateOutcome, NotifyPrefs, NotifyScope};
use taskbell_core::inbox::webhook::WebhookConfig;
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::runtime::{Receive, Runtime, RuntimeConfig};
use taskbell_core::time_util::Clock;
use taskbell_core::{Engine, TaskRef, TaskStatus};

const SECRET: &str = "whsec_dGFza2JlbGwtcHJvbWlzZXMtdGVzdC1zZWNyZXQ=";

#[derive(Clone, Copy, Debug)]
enum Mode {
    Poll,
    Live,
    Webhook,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

struct Desk {
    sb: Sandbox,
    engine: Engine,
    notes: Arc<MemoryNotifier>,
    runtime: Runtime,
    _dir: tempfile::TempDir,
}

/// A desktop whose clock is `skew` off Canvas's, receiving in `mode` from a sandbox. Neither
/// clock is true time: the desktop is half the skew ahead of it, Canvas half behind.
async fn desk(mode: Mode, skew: time::Duration) -> Desk {
    let port = free_port();
    let webhook = matches!(mode, Mode::Webhook).then(|| WebhookTarget {
        url: format!("http://127.0.0.1:{port}/hooks/canvas"),
        secret: SECRET.into(),
        bearer: None,
    });
    let sb = Sandbox::start(SandboxConfig {
        webhook,
        ..Default::default()
    })
    .await
    .expect("sandbox");
    sb.knobs().set_clock_offset(-skew / 2);
    let dir = tempfile::tempdir().expect("tempdir");
    let notes = Arc::new(MemoryNotifier::default());
    let clock = Clock::skewed(skew / 2);
    let engine = Engine::open_with_clock(&dir.path().join("taskbell.db"), notes.clone(), clock)
        .expect("engine");
    engine.set_prefs(NotifyPrefs {
        scope: NotifyScope::Everyone,
        ..Default::default()
    });
    let receive = match mode {
        Mode::Poll => Receive::Poll,
        Mode::Live => Receive::Live {
            url: sb.ws_url(),
            api_key: sb.config().socket_api_key.clone(),
        },
        Mode::Webhook => {
            let mut w = WebhookConfig::new("sandbox");
            w.port = port;
            w.secret = Some(SECRET.into());
            Receive::Webhook(w)
        }
    };
    let mut cfg = RuntimeConfig::new(Some(client_for(&sb).config().clone()), receive);
    cfg.poll_every = Duration::from_millis(300);
    cfg.reconcile_every = Duration::from_secs(2);
    let runtime = Runtime::start(engine.clone(), cfg).await.expect("runtime");
    Desk {
        sb,
        engine,
        notes,
        runtime,
        _dir: dir,
    }
}

impl Desk {
    async fn create(&self, n: usize) -> Vec<String> {
        let mut ids = Vec::new();
        for i in 0..n {
            let draft = TaskDraft {
                description: format!("Call the lab back #{i}"),
                requester: self.sb.clinic().requester.clone(),
                ..Default::default()
            };
            match self.engine.create(draft).await.expect("create") {
                CreateOutcome::Created { task_id, .. } => ids.push(task_id),
                other => panic!("the sandbox did not take the task: {other:?}"),
            }
        }
        ids
    }

    async fn stored(&self, id: &str) -> Option<TaskStatus> {
        let task = TaskRef::new("sandbox", id);
        self.engine
            .read(move |s| s.task(&task))
            .await
            .expect("read")
            .map(|r| r.status)
    }

    fn notified(&self) -> HashMap<String, usize> {
        let mut count = HashMap::new();
        for n in self.notes.shown() {
            *count.entry(n.task.id).or_insert(0) += 1;
        }
        count
    }
}

/// Staff complete half the tasks and close the other half in Canvas; each must end up stored
/// as Canvas has it and be announced once, even after further pushes and reconciles.
async fn every_change_once(mode: Mode, skew_minutes: i64) {
    let d = desk(mode, time::Duration::minutes(skew_minutes)).await;
    let ids = d.create(6).await;
    let want: Vec<(String, TaskStatus)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            (
                id.clone(),
                if i % 2 == 0 {
                    TaskStatus::Completed
                } else {
                    TaskStatus::Closed
                },
            )
        })
        .collect();
    for (id, status) in &want {
        assert!(
            d.sb.set_task_status(id, status.fhir()),
            "the sandbox has {id}"
        );
    }
    for (id, status) in &want {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while d.stored(id).await != Some(*status) {
            assert!(
                std::time::Instant::now() < deadline,
                "{mode:?} {skew_minutes:+} min: {id} never became {status}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    eventually(10, "a notification per task", || {
        d.notified().len() == want.len()
    })
    .await;
    // More turns of every source: nothing may be announced again.
    for _ in 0..3 {
        d.runtime.reconcile_now();
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    let counts = d.notified();
    for (id, _) in &want {
        assert_eq!(
            counts.get(id),
            Some(&1),
            "{mode:?} {skew_minutes:+} min: {id} announced {:?} times",
            counts.get(id)
        );
    }
    d.runtime.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_with_a_desktop_ten_minutes_fast() {
    every_change_once(Mode::Poll, 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_with_a_desktop_ten_minutes_slow() {
    every_change_once(Mode::Poll, -10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_with_a_desktop_ten_minutes_fast() {
    every_change_once(Mode::Live, 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_with_a_desktop_ten_minutes_slow() {
    every_change_once(Mode::Live, -10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_with_a_desktop_ten_minutes_fast() {
    every_change_once(Mode::Webhook, 10).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_with_a_desktop_ten_minutes_slow() {
    every_change_once(Mode::Webhook, -10).await;
}

/// The outbox retries every 200 ms and each answer takes a second: without a claim, its turn
/// would send the entry `create` is still waiting on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_canvas_slower_than_the_outbox_gets_each_task_once() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(
        &dir.path().join("taskbell.db"),
        Arc::new(MemoryNotifier::default()),
    )
    .expect("engine");
    let mut cfg = RuntimeConfig::new(Some(client_for(&sb).config().clone()), Receive::Poll);
    cfg.outbox_every = Duration::from_millis(200);
    cfg.poll_every = Duration::from_secs(3600);
    let runtime = Runtime::start(engine.clone(), cfg).await.expect("runtime");
    sb.knobs().set_latency(Duration::from_secs(1));
    for i in 0..3 {
        let draft = TaskDraft {
            description: format!("Scan the consent form #{i}"),
            requester: sb.clinic().requester.clone(),
            ..Default::default()
        };
        let outcome = engine.create(draft).await.expect("create");
        assert!(
            matches!(outcome, CreateOutcome::Created { .. }),
            "{outcome:?}"
        );
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(sb.task_count(), 3, "Canvas got a task twice");
    runtime.shutdown().await;
}

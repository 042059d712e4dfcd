//! The plugin WebSocket client against the sandbox's channel over loopback, with the real engine
//! on a SQLite file: pushes reach the store, lost connections come back and are reconciled, and
//! every completion is announced exactly once whatever the channel does.
//!
//! What the client does on its own (refused keys, silent servers, odd frames, a sink that cannot
//! store, reconcile requests) is tested against an in-memory sink and, where the sandbox is not
//! needed, a WebSocket server of the test's own.
//!
//! Nothing here sleeps for a fixed time: every wait is "until this holds, or fail after 20 s".

mod common;

use canvas_sandbox::{Sandbox, SandboxConfig};
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use taskbell_core::backoff::Backoff;
use taskbell_core::canvas::{CanvasClient, TaskDraft};
use taskbell_core::engine::{CreateOutcome, NotifyPrefs, NotifyScope};
use taskbell_core::inbox::poll::{PollConfig, Poller};
use taskbell_core::inbox::sink::MemorySink;
use taskbell_core::inbox::socket::{
    SocketClient, SocketConfig, SocketHandle, SocketState, RECONNECT_BACKOFF,
};
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::{Engine, EventKind, Source, TaskRef, TaskStatus, UiEvent};
use tempfile::TempDir;
use tokio::sync::{broadcast, watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

const PATIENCE: Duration = Duration::from_secs(20);

struct Rig {
    sb: Sandbox,
    engine: Engine,
    notifier: Arc<MemoryNotifier>,
    client: CanvasClient,
    /// The poller's wake-up, shared with the socket client as in the app.
    kick: Arc<Notify>,
    ui: broadcast::Receiver<UiEvent>,
    _dir: TempDir,
}

async fn rig() -> Rig {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let notifier = Arc::new(MemoryNotifier::default());
    let engine =
        Engine::open(&dir.path().join("taskbell.db"), notifier.clone()).expect("engine opens");
    engine.set_prefs(NotifyPrefs {
        scope: NotifyScope::Everyone,
        ..Default::default()
    });
    let client = common::client_for(&sb);
    engine.set_canvas(Some(client.clone()));
    let ui = engine.subscribe();
    Rig {
        sb,
        engine,
        notifier,
        client,
        kick: Arc::new(Notify::new()),
        ui,
        _dir: dir,
    }
}

/// Quick reconnects and a relaxed dead-connection check: a loaded machine must not look dead.
fn quick(mut cfg: SocketConfig) -> SocketConfig {
    cfg.backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(1));
    cfg.ping_every = Duration::from_secs(1);
    cfg.silence_limit = Duration::from_secs(15);
    cfg.connect_timeout = Duration::from_secs(10);
    cfg
}

impl Rig {
    fn socket_config(&self, key: &str) -> SocketConfig {
        quick(SocketConfig::new("sandbox", &self.sb.ws_url(), key).expect("socket config"))
    }

    fn start_socket(&self, cfg: SocketConfig) -> SocketHandle {
        SocketClient::new(cfg, self.engine.clone(), self.kick.clone()).spawn()
    }

    /// The poller with a timer too long to fire during a test: only connects make it reconcile.
    fn start_poller(&self) -> (watch::Sender<bool>, JoinHandle<()>) {
        let poller = Poller::new(
            self.engine.clone(),
            self.client.clone(),
            PollConfig::default(),
        );
        let (stop, stop_rx) = watch::channel(false);
        let kick = self.kick.clone();
        let task =
            tokio::spawn(async move { poller.run(Duration::from_secs(3600), kick, stop_rx).await });
        (stop, task)
    }

    /// Reconciles on each wake-up and nothing else (no first run, no timer), counting the runs:
    /// a completion it finds can only have been found because a connect asked for it.
    fn start_reconciles_on_connect_only(
        &self,
    ) -> (Arc<AtomicUsize>, (watch::Sender<bool>, JoinHandle<()>)) {
        let poller = Poller::new(
            self.engine.clone(),
            self.client.clone(),
            PollConfig::default(),
        );
        let (kick, done) = (self.kick.clone(), Arc::new(AtomicUsize::new(0)));
        let (stop, mut stopping) = watch::channel(false);
        let runs = done.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = kick.notified() => {}
                    _ = stopping.wait_for(|s| *s) => return,
                }
                // Never cut short: an ingest stopped halfway would commit without notifying.
                poller.reconcile().await.expect("reconcile");
                runs.fetch_add(1, Ordering::SeqCst);
            }
        });
        (done, (stop, task))
    }

    async fn create_tasks(&self, n: usize) -> Vec<String> {
        let clinic = self.sb.clinic();
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            let draft = TaskDraft {
                description: format!("Call the lab back #{i}"),
                requester: clinic.requester.clone(),
                patient: Some(clinic.patients[i % clinic.patients.len()].0.clone()),
                owner: Some(clinic.practitioners[1].0.clone()),
                team: None,
                due: None,
                labels: vec![],
                comment: None,
                authored_on: None,
                names: Default::default(),
            };
            match self.engine.create(draft).await.expect("create") {
                CreateOutcome::Created { task_id, .. } => ids.push(task_id),
                other => panic!("the sandbox did not take the task: {other:?}"),
            }
        }
        ids
    }

    fn complete(&self, id: &str) {
        assert!(
            self.sb.set_task_status(id, "completed"),
            "the sandbox has no task {id}"
        );
    }

    async fn status(&self, id: &str) -> Option<TaskStatus> {
        let task = TaskRef::new("sandbox", id);
        self.engine
            .read(move |s| s.task(&task))
            .await
            .expect("read")
            .map(|row| row.status)
    }

    async fn wait_all_completed(&self, ids: &[String]) {
        let deadline = Instant::now() + PATIENCE;
        for id in ids {
            while self.status(id).await != Some(TaskStatus::Completed) {
                assert!(
                    Instant::now() < deadline,
                    "task {id} never showed as completed in the store"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }

    /// Sources of the events that recorded the task's completion.
    async fn completion_sources(&self, id: &str) -> Vec<String> {
        let task = TaskRef::new("sandbox", id);
        let timeline = self
            .engine
            .read(move |s| s.timeline(&task))
            .await
            .expect("timeline");
        timeline
            .into_iter()
            .filter(|e| {
                e.status_before.as_deref() == Some("open")
                    && e.status_after.as_deref() == Some("completed")
            })
            .map(|e| e.source)
            .collect()
    }

    /// Once every source is stopped: each completion was announced exactly once.
    async fn assert_each_completion_notified_once(&mut self, ids: &[String]) {
        // Every ingest has returned, so the UI events are final; each transition's notification
        // is shown from the blocking pool right after, so wait for those to land.
        let transitions = self.drain_completion_transitions();
        wait_until("the notifications to be shown", || {
            self.notifier.shown().len() >= transitions
        })
        .await;
        let mut per_task: HashMap<String, usize> = HashMap::new();
        for n in self.notifier.shown() {
            assert_eq!(n.task.system, "sandbox");
            assert_eq!(n.summary, "Task completed");
            *per_task.entry(n.task.id).or_default() += 1;
        }
        for id in ids {
            assert_eq!(
                per_task.get(id),
                Some(&1),
                "task {id}: notifications {per_task:?}"
            );
        }
        assert_eq!(per_task.values().sum::<usize>(), ids.len(), "{per_task:?}");
        assert_eq!(transitions, ids.len());
    }

    fn drain_completion_transitions(&mut self) -> usize {
        let mut count = 0;
        loop {
            match self.ui.try_recv() {
                Ok(UiEvent::TaskChanged {
                    status: TaskStatus::Completed,
                    previous: Some(TaskStatus::Open),
                    ..
                }) => count += 1,
                Ok(_) => {}
                Err(
                    broadcast::error::TryRecvError::Empty | broadcast::error::TryRecvError::Closed,
                ) => return count,
                Err(broadcast::error::TryRecvError::Lagged(n)) => panic!("missed {n} UI events"),
            }
        }
    }
}

async fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !ok() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, f)
        .await
        .unwrap_or_else(|_| panic!("gave up waiting for {what}"))
}

/// Waits for a connection other than the one that started at `before`; returns when it started.
async fn wait_connected(
    state: &mut watch::Receiver<SocketState>,
    before: Option<time::OffsetDateTime>,
) -> time::OffsetDateTime {
    let s = within(
        "the socket to connect",
        state.wait_for(|s| matches!(s, SocketState::Connected { since } if Some(*since) != before)),
    )
    .await
    .expect("the client is running")
    .clone();
    match s {
        SocketState::Connected { since } => since,
        other => unreachable!("{other:?}"),
    }
}

async fn stop_poller((stop, task): (watch::Sender<bool>, JoinHandle<()>)) {
    stop.send_replace(true);
    within("the poller to stop", task)
        .await
        .expect("the poller ends cleanly");
}

async fn stop_socket(socket: SocketHandle) {
    let mut state = socket.state();
    within("the socket client to stop", socket.shutdown()).await;
    assert_eq!(*state.borrow_and_update(), SocketState::Stopped);
}

/// A client whose frames go to memory, and the poller wake-up it pulls.
struct Bare {
    sink: Arc<MemorySink>,
    kick: Arc<Notify>,
    socket: SocketHandle,
}

fn bare_socket(cfg: SocketConfig) -> Bare {
    let (sink, kick) = (Arc::new(MemorySink::new()), Arc::new(Notify::new()));
    let socket = SocketClient::new(cfg, sink.clone(), kick.clone()).spawn();
    Bare { sink, kick, socket }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_and_a_pushed_completion_is_stored_and_notified_once() {
    let mut rig = rig().await;
    let ids = rig.create_tasks(1).await;
    // No poller: the socket is the only way this completion can reach the store.
    let socket = rig.start_socket(rig.socket_config(&rig.sb.config().socket_api_key));
    let mut state = socket.state();
    wait_connected(&mut state, None).await;
    assert_eq!(state.borrow().to_string(), "live");

    rig.complete(&ids[0]);
    rig.wait_all_completed(&ids).await;
    assert_eq!(
        rig.completion_sources(&ids[0]).await,
        vec!["socket".to_string()]
    );

    stop_socket(socket).await;
    rig.assert_each_completion_notified_once(&ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_drops_the_connection_5_times_while_tasks_complete_and_every_completion_is_notified_exactly_once(
) {
    let mut rig = rig().await;
    let ids = rig.create_tasks(10).await;
    let poller = rig.start_poller();
    let socket = rig.start_socket(rig.socket_config(&rig.sb.config().socket_api_key));
    let mut state = socket.state();
    let mut since = wait_connected(&mut state, None).await;

    for pair in ids.chunks(2) {
        // One completion on a live connection, one in the gap the drop opens.
        rig.complete(&pair[0]);
        rig.sb.knobs().drop_socket_connections();
        rig.complete(&pair[1]);
        since = wait_connected(&mut state, Some(since)).await;
    }

    rig.wait_all_completed(&ids).await;
    stop_socket(socket).await;
    stop_poller(poller).await;
    rig.assert_each_completion_notified_once(&ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_pushes_dropped_entirely_the_reconcile_after_a_reconnect_still_finds_every_completion()
{
    let mut rig = rig().await;
    let ids = rig.create_tasks(6).await;
    let (reconciles, reconciler) = rig.start_reconciles_on_connect_only();
    let socket = rig.start_socket(rig.socket_config(&rig.sb.config().socket_api_key));
    let mut state = socket.state();
    let since = wait_connected(&mut state, None).await;
    // The first connect's reconcile is over before anything completes, so only the reconnect's
    // can find the completions.
    wait_until("the reconcile after connecting", || {
        reconciles.load(Ordering::SeqCst) >= 1
    })
    .await;

    rig.sb.knobs().set_drop_pushes(true);
    for id in &ids {
        rig.complete(id);
    }
    rig.sb.knobs().drop_socket_connections();
    wait_connected(&mut state, Some(since)).await;

    rig.wait_all_completed(&ids).await;
    // The completions are committed a moment before the reconcile that found them returns.
    wait_until("the reconcile after reconnecting", || {
        reconciles.load(Ordering::SeqCst) >= 2
    })
    .await;
    for id in &ids {
        assert_eq!(
            rig.completion_sources(id).await,
            vec!["poll".to_string()],
            "task {id}"
        );
    }
    stop_socket(socket).await;
    stop_poller(reconciler).await;
    rig.assert_each_completion_notified_once(&ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_api_key_shows_unauthorised_and_stopping_ends_the_wait_at_once() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox starts");
    let mut cfg =
        quick(SocketConfig::new("sandbox", &sb.ws_url(), "not-the-key").expect("socket config"));
    // The real cap: stopping must not wait out a minute-long retry.
    cfg.backoff = RECONNECT_BACKOFF;
    let Bare { sink, socket, .. } = bare_socket(cfg);
    let mut state = socket.state();
    let refused = within(
        "the refusal",
        state.wait_for(|s| matches!(s, SocketState::Unauthorised { .. })),
    )
    .await
    .expect("the client is running")
    .clone();
    let SocketState::Unauthorised { detail } = &refused else {
        unreachable!()
    };
    assert!(detail.contains("403"), "{detail}");
    assert!(detail.contains("60 s"), "{detail}");
    assert!(
        refused
            .to_string()
            .starts_with("the plugin refused the api key"),
        "{refused}"
    );
    assert!(!refused.to_string().contains("not-the-key"));

    let started = Instant::now();
    stop_socket(socket).await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopping took {:?}",
        started.elapsed()
    );
    assert_eq!(sink.offered(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_in_the_message_envelope_are_accepted() {
    let mut rig = rig().await;
    rig.sb.knobs().set_socket_envelope(true);
    let ids = rig.create_tasks(2).await;
    let socket = rig.start_socket(rig.socket_config(&rig.sb.config().socket_api_key));
    let mut state = socket.state();
    wait_connected(&mut state, None).await;

    for id in &ids {
        rig.complete(id);
    }
    rig.wait_all_completed(&ids).await;
    for id in &ids {
        assert_eq!(
            rig.completion_sources(id).await,
            vec!["socket".to_string()],
            "task {id}"
        );
    }
    stop_socket(socket).await;
    rig.assert_each_completion_notified_once(&ids).await;
}

#[test]
fn backoff_grows_from_one_second_with_jitter_and_stops_at_sixty() {
    let b = RECONNECT_BACKOFF;
    let secs = |n| b.ceiling(n).as_secs();
    assert_eq!(
        (0..8).map(secs).collect::<Vec<_>>(),
        vec![1, 2, 4, 8, 16, 32, 60, 60]
    );
    assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(60));
    for retry in 0..12 {
        let ceiling = b.ceiling(retry);
        let delays: Vec<Duration> = (0..200).map(|_| b.delay(retry)).collect();
        assert!(
            delays.iter().all(|d| *d >= ceiling / 2 && *d <= ceiling),
            "{retry}: {delays:?}"
        );
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(distinct.len() > 100, "no jitter at retry {retry}");
    }
    assert!(b.delay(1000) <= Duration::from_secs(60));
}

/// A WebSocket server on loopback that accepts every connection and then does `serve` with it.
async fn local_server<F, Fut>(serve: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "ws://{}/plugin-io/ws/taskbell_relay/taskbell/",
        listener.local_addr().expect("addr")
    );
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            if let Ok(ws) = tokio_tungstenite::accept_async(tcp).await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(ws));
            }
        }
    });
    (url, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_is_detected_and_replaced() {
    // Holds the connection open and never reads, so pings go unanswered.
    let (url, accepted) = local_server(|ws| async move {
        let _held = ws;
        std::future::pending::<()>().await;
    })
    .await;
    let mut cfg = quick(SocketConfig::new("sandbox", &url, "k").expect("config"));
    cfg.ping_every = Duration::from_millis(100);
    cfg.silence_limit = Duration::from_millis(800);
    let Bare { socket, .. } = bare_socket(cfg);
    let mut state = socket.state();
    let lost = within(
        "the silence to be noticed",
        state.wait_for(
            |s| matches!(s, SocketState::Reconnecting { last_error, .. } if last_error.contains("nothing heard")),
        ),
    )
    .await
    .expect("running")
    .clone();
    assert!(lost.to_string().starts_with("reconnecting in "), "{lost}");
    wait_until("a second connection", || {
        accepted.load(Ordering::SeqCst) >= 2
    })
    .await;
    stop_socket(socket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_are_skipped_without_losing_the_connection() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Message;
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../canvas-plugin/schema/examples/completed.json"
    ))
    .expect("the completed example");
    let (url, accepted) = local_server(move |mut ws| {
        let example = example.clone();
        async move {
            for frame in [
                "not json at all",
                "[1, 2]",
                r#"{"hello": "world"}"#,
                r#"{"version": 9, "event_id": "x", "task": {}}"#,
            ] {
                let _ = ws.send(Message::text(frame)).await;
            }
            let _ = ws.send(Message::binary(vec![0u8, 159, 146, 150])).await;
            let _ = ws.send(Message::text(example)).await;
            // Keep reading so pings are answered and the connection stays healthy.
            use futures_util::StreamExt;
            while let Some(Ok(_)) = ws.next().await {}
        }
    })
    .await;
    let Bare { sink, socket, .. } = bare_socket(quick(
        SocketConfig::new("sandbox", &url, "k").expect("config"),
    ));
    let mut state = socket.state();
    let since = wait_connected(&mut state, None).await;

    wait_until("the good frame after the bad ones", || {
        !sink.events().is_empty()
    })
    .await;
    let events = sink.events();
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(
        event.task,
        TaskRef::new("sandbox", "b6426693-eb5b-4702-9f90-4728972c7f16")
    );
    assert_eq!(
        (event.kind, event.source),
        (EventKind::Completed, Source::Socket)
    );
    assert_eq!(event.status, Some(TaskStatus::Completed));
    assert_eq!(*state.borrow(), SocketState::Connected { since });
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    stop_socket(socket).await;
}

/// The completed example, as the plugin would broadcast it.
fn completed_example() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../canvas-plugin/schema/examples/completed.json"
    ))
    .expect("the completed example")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_frame_reaches_the_sink_in_order_and_a_repeat_is_a_duplicate_there() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let mut second: serde_json::Value = serde_json::from_str(&completed_example()).expect("json");
    second["event_id"] = serde_json::json!("5d0c1f3e-6a2b-4c8d-9e7f-0a1b2c3d4e5f");
    second["task"]["id"] = serde_json::json!("0f1e2d3c-4b5a-4697-8877-665544332211");
    let frames = [completed_example(), second.to_string(), completed_example()];
    let (url, _) = local_server(move |mut ws| {
        let frames = frames.clone();
        async move {
            for frame in frames {
                let _ = ws.send(Message::text(frame)).await;
            }
            while let Some(Ok(_)) = ws.next().await {}
        }
    })
    .await;
    let Bare { sink, socket, .. } = bare_socket(quick(
        SocketConfig::new("sandbox", &url, "k").expect("config"),
    ));
    // Frames are handed over one at a time: once the third is offered, the first two are done.
    wait_until("three frames offered", || sink.offered() >= 3).await;
    let ids: Vec<String> = sink.events().into_iter().map(|e| e.task.id).collect();
    assert_eq!(
        ids,
        [
            "b6426693-eb5b-4702-9f90-4728972c7f16",
            "0f1e2d3c-4b5a-4697-8877-665544332211"
        ]
    );
    stop_socket(socket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frame_the_sink_cannot_store_asks_for_a_reconcile_and_keeps_the_connection() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let (example, go) = (completed_example(), Arc::new(Notify::new()));
    let send_when_told = go.clone();
    let (url, accepted) = local_server(move |mut ws| {
        let (example, go) = (example.clone(), send_when_told.clone());
        async move {
            go.notified().await;
            let _ = ws.send(Message::text(example)).await;
            while let Some(Ok(_)) = ws.next().await {}
        }
    })
    .await;
    let Bare { sink, kick, socket } = bare_socket(quick(
        SocketConfig::new("sandbox", &url, "k").expect("config"),
    ));
    sink.set_failing(true);
    let mut state = socket.state();
    let since = wait_connected(&mut state, None).await;
    // The connect's own request first, so that the next one can only come from the frame.
    within("the reconcile asked for on connecting", kick.notified()).await;

    go.notify_one();
    within(
        "the reconcile asked for by the frame that was not stored",
        kick.notified(),
    )
    .await;
    assert_eq!(sink.offered(), 1);
    assert!(sink.events().is_empty());
    assert_eq!(*state.borrow(), SocketState::Connected { since });
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    stop_socket(socket).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_connect_asks_for_a_reconcile() {
    use tokio_tungstenite::tungstenite::protocol::{frame::coding::CloseCode, CloseFrame};
    // Each connection is closed by the server as soon as it opens.
    let (url, accepted) = local_server(|mut ws| async move {
        let _ = ws
            .close(Some(CloseFrame {
                code: CloseCode::Away,
                reason: "going".into(),
            }))
            .await;
    })
    .await;
    let Bare { kick, socket, .. } = bare_socket(quick(
        SocketConfig::new("sandbox", &url, "k").expect("config"),
    ));
    for n in 1..=3 {
        within("a reconcile request", kick.notified()).await;
        wait_until("the connection to be counted", || {
            accepted.load(Ordering::SeqCst) >= n
        })
        .await;
    }
    stop_socket(socket).await;
}

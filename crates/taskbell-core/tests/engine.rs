//! The engine: one pipeline from event to store to notification, and outbox-first creates.

mod common;

use common::{client_for, engine, eventually, sandbox};
use std::time::Duration;
use taskbell_core::canvas::{CanvasClient, TaskDraft};
use taskbell_core::engine::{CreateOutcome, NotifyPrefs, NotifyScope, UiEvent};
use taskbell_core::store::OutboxState;
use taskbell_core::task::{Party, TaskSnapshot};
use taskbell_core::{EngineError, EventKind, Source, TaskEvent, TaskRef, TaskStatus};
use time::OffsetDateTime;

fn ev(key: &str, id: &str, kind: EventKind, status: TaskStatus) -> TaskEvent {
    TaskEvent {
        delivery_key: key.into(),
        task: TaskRef::new("sandbox", id),
        kind,
        source: Source::Webhook,
        at: Some(OffsetDateTime::now_utc()),
        status: Some(status),
        actor: None,
        snapshot: TaskSnapshot {
            description: Some(format!("task {id}")),
            ..Default::default()
        },
        external_id: None,
    }
}

fn draft(sb: &canvas_sandbox::Sandbox, description: &str) -> TaskDraft {
    TaskDraft {
        description: description.into(),
        requester: sb.clinic().requester.clone(),
        ..Default::default()
    }
}

#[tokio::test]
async fn one_transition_one_notification_one_ui_event_whatever_arrives_twice() {
    let t = engine();
    let mut ui = t.engine.subscribe();
    t.engine
        .ingest(ev("c", "1", EventKind::Created, TaskStatus::Open))
        .await
        .expect("created");
    let done = ev("d", "1", EventKind::Completed, TaskStatus::Completed);
    let first = t.engine.ingest(done.clone()).await.expect("completed");
    assert!(first.notified);
    // The same completion again, and again under another key (a second source saying the same).
    assert!(
        t.engine
            .ingest(done)
            .await
            .expect("again")
            .applied
            .duplicate
    );
    let echo = t
        .engine
        .ingest(ev("d2", "1", EventKind::Completed, TaskStatus::Completed))
        .await
        .expect("echo");
    assert!(!echo.notified && !echo.applied.transitioned());
    eventually(5, "the notification", || t.notes.shown().len() == 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(t.notes.shown().len(), 1);
    let n = &t.notes.shown()[0];
    assert_eq!(
        (n.summary.as_str(), n.body.as_str()),
        ("Task completed", "task 1")
    );

    let mut transitions = 0;
    while let Ok(e) = ui.try_recv() {
        if let UiEvent::TaskChanged {
            previous: Some(p),
            status,
            ..
        } = e
        {
            if p != status {
                transitions += 1;
            }
        }
    }
    assert_eq!(transitions, 1);
}

#[tokio::test]
async fn tasks_from_elsewhere_are_stored_but_notify_only_when_they_concern_me() {
    let t = engine();
    t.engine.set_prefs(NotifyPrefs::default());
    t.engine.set_me(Some("me".into()));
    let mut mine = ev("c1", "assigned-to-me", EventKind::Created, TaskStatus::Open);
    mine.snapshot.owner = Some(Party::id("me"));
    let mut requested = ev(
        "c2",
        "requested-by-me",
        EventKind::Created,
        TaskStatus::Open,
    );
    requested.snapshot.requester = Some(Party::id("me"));
    let other = ev("c3", "someone-elses", EventKind::Created, TaskStatus::Open);
    t.engine
        .ingest_all(vec![mine, requested, other])
        .await
        .expect("stored");
    for id in ["assigned-to-me", "requested-by-me", "someone-elses"] {
        t.engine
            .ingest(ev(
                &format!("d-{id}"),
                id,
                EventKind::Completed,
                TaskStatus::Completed,
            ))
            .await
            .expect("done");
    }
    eventually(5, "two notifications", || t.notes.shown().len() == 2).await;
    let ids: Vec<String> = t.notes.shown().iter().map(|n| n.task.id.clone()).collect();
    assert!(
        ids.contains(&"assigned-to-me".to_string()) && ids.contains(&"requested-by-me".to_string()),
        "{ids:?}"
    );
    assert_eq!(
        t.engine.read(|s| s.task_count()).await.expect("count"),
        3,
        "every task is in history"
    );

    t.engine.set_prefs(NotifyPrefs {
        scope: NotifyScope::Everyone,
        ..Default::default()
    });
    t.engine
        .ingest(ev(
            "r",
            "someone-elses",
            EventKind::Reopened,
            TaskStatus::Open,
        ))
        .await
        .expect("reopened");
    let closed = t
        .engine
        .ingest(ev(
            "x",
            "someone-elses",
            EventKind::Closed,
            TaskStatus::Closed,
        ))
        .await
        .expect("closed");
    assert!(closed.notified, "everyone scope notifies for any task");
}

#[tokio::test]
async fn paused_notifications_store_but_stay_silent() {
    let t = engine();
    t.engine.pause_notifications(None);
    t.engine
        .ingest(ev("c", "1", EventKind::Created, TaskStatus::Open))
        .await
        .expect("created");
    let done = t
        .engine
        .ingest(ev("d", "1", EventKind::Completed, TaskStatus::Completed))
        .await
        .expect("done");
    assert!(done.applied.transitioned() && !done.notified);
    t.engine.resume_notifications();
    assert!(!t.engine.notifications_paused());
}

#[tokio::test]
async fn create_writes_the_outbox_then_tracks_the_new_task() {
    let sb = sandbox().await;
    let t = engine();
    t.engine.set_canvas(Some(client_for(&sb)));
    let outcome = t
        .engine
        .create(draft(&sb, "Call the pharmacy"))
        .await
        .expect("created");
    let CreateOutcome::Created { local_id, task_id } = outcome else {
        panic!("expected created, got {outcome:?}")
    };
    assert!(sb.task_json(&task_id).is_some());
    let entry = t
        .engine
        .read(move |s| s.outbox_entry(&local_id))
        .await
        .expect("read")
        .expect("outbox row");
    assert_eq!(
        (entry.state, entry.task_id.as_deref()),
        (OutboxState::Created, Some(task_id.as_str()))
    );
    let row = t
        .engine
        .read(move |s| s.task(&TaskRef::new("sandbox", task_id)))
        .await
        .expect("read")
        .expect("tracked");
    assert!(row.mine);
    assert_eq!(row.status, TaskStatus::Open);
}

#[tokio::test]
async fn refused_drafts_surface_canvas_text_and_invalid_ones_never_leave() {
    let sb = sandbox().await;
    let t = engine();
    t.engine.set_canvas(Some(client_for(&sb)));
    let empty = t.engine.create(draft(&sb, "   ")).await.expect_err("empty");
    assert!(matches!(empty, EngineError::Invalid(_)));
    let mut bad = draft(&sb, "x");
    bad.patient = Some("no-such-patient".into());
    let err = t.engine.create(bad).await.expect_err("refused");
    assert!(err.to_string().contains("Canvas answered 4"), "{err}");
    let open = t.engine.read(|s| s.outbox_open()).await.expect("read");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].state, OutboxState::Failed);
    assert_eq!(sb.task_count(), 0);
}

#[tokio::test]
async fn offline_creates_stay_pending_and_are_sent_when_canvas_is_back() {
    let sb = sandbox().await;
    let t = engine();
    // A Canvas that is not there: the port of a listener that was closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut cfg = client_for(&sb).config().clone();
    cfg.fhir_base = format!("{base}/fhir").parse().expect("url");
    cfg.token_url = format!("{base}/auth/token/").parse().expect("url");
    cfg.max_retries = 1;
    t.engine
        .set_canvas(Some(CanvasClient::new(cfg).expect("client")));
    let outcome = t
        .engine
        .create(draft(&sb, "Send the referral"))
        .await
        .expect("saved");
    let CreateOutcome::Pending { local_id, reason } = outcome else {
        panic!("expected pending, got {outcome:?}")
    };
    assert!(reason.contains("could not reach Canvas"), "{reason}");
    assert!(
        t.engine.flush_outbox().await.expect("flush").created == 0,
        "not due yet"
    );

    // Canvas is back; make the entry due now.
    t.engine.set_canvas(Some(client_for(&sb)));
    let id = local_id.clone();
    assert!(t.engine.retry_now(&id).await.expect("due"));
    let report = t.engine.flush_outbox().await.expect("flush");
    assert_eq!(report.created, 1);
    assert_eq!(sb.task_count(), 1);
    let entry = t
        .engine
        .read(move |s| s.outbox_entry(&local_id))
        .await
        .expect("read")
        .expect("row");
    assert_eq!(entry.state, OutboxState::Created);
}

#[tokio::test]
async fn a_create_that_timed_out_after_sending_is_found_not_made_twice() {
    let sb = sandbox().await;
    let t = engine();
    let mut cfg = client_for(&sb).config().clone();
    cfg.request_timeout = Duration::from_millis(400);
    let client = CanvasClient::new(cfg).expect("client");
    client.check_credentials().await.expect("token");
    t.engine.set_canvas(Some(client));
    // The sandbox makes the task, then holds the answer until the client has given up.
    sb.knobs().set_answer_delay(Duration::from_millis(900));
    let outcome = t
        .engine
        .create(draft(&sb, "Scan the consent form"))
        .await
        .expect("saved");
    let CreateOutcome::Pending { local_id, .. } = outcome else {
        panic!("expected pending, got {outcome:?}")
    };
    eventually(10, "the sandbox to apply the POST", || sb.task_count() == 1).await;
    sb.knobs().set_answer_delay(Duration::ZERO);

    let id = local_id.clone();
    let entry = t
        .engine
        .read(move |s| s.outbox_entry(&id))
        .await
        .expect("read")
        .expect("row");
    assert_eq!(entry.state, OutboxState::Uncertain);
    assert!(t.engine.retry_now(&local_id).await.expect("due"));
    assert_eq!(t.engine.flush_outbox().await.expect("flush").created, 1);
    assert_eq!(sb.task_count(), 1, "a duplicate task was created");
    let entry = t
        .engine
        .read(move |s| s.outbox_entry(&local_id))
        .await
        .expect("read")
        .expect("row");
    assert_eq!(entry.state, OutboxState::Created);
    assert!(entry.task_id.is_some_and(|id| sb.task_json(&id).is_some()));
}

#[tokio::test]
async fn notifications_name_who_did_it_only_by_a_known_name() {
    let t = engine();
    let mut created = ev("c", "1", EventKind::Created, TaskStatus::Open);
    created.snapshot.owner = Some(Party {
        id: "staff-9".into(),
        display: Some("Nora Johnson".into()),
    });
    let mut other = ev("c2", "2", EventKind::Created, TaskStatus::Open);
    other.snapshot.owner = created.snapshot.owner.clone();
    t.engine
        .ingest_all(vec![created, other])
        .await
        .expect("created");
    let mut by_assignee = ev("d", "1", EventKind::Completed, TaskStatus::Completed);
    by_assignee.actor = Some("staff-9".into());
    let mut by_someone = ev("d2", "2", EventKind::Completed, TaskStatus::Completed);
    by_someone.actor = Some("3f63d60fce2ce86cafe90024768d1470".into());
    t.engine
        .ingest_all(vec![by_assignee, by_someone])
        .await
        .expect("done");
    eventually(5, "two notifications", || t.notes.shown().len() == 2).await;
    let body = |id: &str| {
        t.notes
            .shown()
            .into_iter()
            .find(|n| n.task.id == id)
            .map(|n| n.body)
            .expect("shown")
    };
    assert_eq!(body("1"), "task 1\nCompleted by Nora Johnson");
    assert_eq!(
        body("2"),
        "task 2\nAssigned to Nora Johnson",
        "an actor id must never reach the screen"
    );
}

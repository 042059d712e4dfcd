//! Polling and reconcile against the sandbox.

mod common;

use common::{client_for, engine, sandbox};
use taskbell_core::canvas::fhir::task_from_fhir;
use taskbell_core::inbox::poll::{Path, PollConfig, Poller};
use taskbell_core::{Source, TaskEvent, TaskRef, TaskStatus};

/// Puts `ids` in the store as open tasks, as if this Taskbell had created them and read them
/// back from Canvas.
async fn track(t: &common::TestEngine, sb: &canvas_sandbox::Sandbox, ids: &[String]) {
    let events = ids
        .iter()
        .map(|id| {
            let json = sb.task_json(id).expect("in the sandbox");
            let task = task_from_fhir("sandbox", &json).expect("a task");
            TaskEvent::from_read(&task, None, Source::Api)
        })
        .collect();
    t.engine.ingest_created(events).await.expect("tracked");
}

#[tokio::test]
async fn a_thousand_tracked_tasks_reconcile_in_at_most_eleven_requests() {
    let sb = sandbox().await;
    let t = engine();
    let ids = sb.insert_tasks(1000, "requested");
    track(&t, &sb, &ids).await;
    let client = client_for(&sb);
    client.check_credentials().await.expect("token");
    let poller = Poller::new(t.engine.clone(), client, PollConfig::default());

    for id in &ids {
        assert!(sb.set_task_status(id, "completed"));
    }
    sb.knobs().reset_request_count();
    let report = poller.reconcile().await.expect("reconcile");
    assert!(
        sb.knobs().request_count() <= 11,
        "{} requests",
        sb.knobs().request_count()
    );
    assert_eq!(report.path, Path::Modified);
    assert_eq!(report.transitions, 1000);
    let open = t
        .engine
        .read(|s| s.open_task_ids("sandbox"))
        .await
        .expect("read");
    assert!(open.is_empty(), "{} still open", open.len());

    // Nothing changed since: the next pass finds nothing new, and notifies nobody again.
    let again = poller.reconcile().await.expect("reconcile");
    assert_eq!((again.stored, again.transitions), (0, 0));
    assert!(t
        .engine
        .read(|s| s.poll_cursor("sandbox"))
        .await
        .expect("read")
        .is_some());
}

#[tokio::test]
async fn when_modified_is_refused_open_tasks_are_read_instead() {
    let sb = sandbox().await;
    sb.knobs().set_modified_search_supported(false);
    let t = engine();
    let ids = sb.insert_tasks(30, "requested");
    track(&t, &sb, &ids).await;
    let poller = Poller::new(
        t.engine.clone(),
        client_for(&sb),
        PollConfig {
            parallel: 4,
            ..Default::default()
        },
    );
    for id in &ids[..10] {
        sb.set_task_status(id, "completed");
    }
    sb.set_task_status(&ids[10], "cancelled");

    let report = poller.reconcile().await.expect("reconcile");
    assert_eq!(report.path, Path::OpenTasks);
    assert_eq!((report.seen, report.transitions), (30, 11));
    let cursor = t
        .engine
        .read(|s| s.poll_cursor("sandbox"))
        .await
        .expect("read")
        .expect("cursor");
    assert_eq!(
        cursor.modified_supported,
        Some(false),
        "the refusal is remembered"
    );

    // Only the 19 still-open tasks are read next time.
    sb.knobs().reset_request_count();
    let again = poller.reconcile().await.expect("reconcile");
    assert_eq!((again.seen, again.transitions), (19, 0));
    assert_eq!(sb.knobs().request_count(), 19);
    let closed = t
        .engine
        .read(|s| s.task(&TaskRef::new("sandbox", "x")))
        .await
        .expect("read");
    assert!(closed.is_none());
    eventually_notified(&t, 11).await;
}

async fn eventually_notified(t: &common::TestEngine, n: usize) {
    common::eventually(5, "notifications", || t.notes.shown().len() == n).await;
}

#[tokio::test]
async fn a_first_reconcile_learns_of_tasks_created_elsewhere_without_notifying() {
    let sb = sandbox().await;
    let t = engine();
    let mine = sb.insert_tasks(1, "requested");
    track(&t, &sb, &mine).await;
    let others = sb.insert_tasks(5, "completed");
    let poller = Poller::new(t.engine.clone(), client_for(&sb), PollConfig::default());
    let report = poller.reconcile().await.expect("reconcile");
    assert_eq!(report.transitions, 0);
    for id in others {
        let row = t
            .engine
            .read(move |s| s.task(&TaskRef::new("sandbox", id)))
            .await
            .expect("read");
        assert_eq!(row.map(|r| r.status), Some(TaskStatus::Completed));
    }
    assert!(t.notes.shown().is_empty());
}

//! A change stored is a change announced, even when Taskbell dies between the commit and the
//! notification: the transition is marked in the transaction that stores it, and the next start
//! announces what is still marked, once.

mod common;

use std::sync::Arc;
use taskbell_core::engine::{NotifyPrefs, NotifyScope};
use taskbell_core::notify::{MemoryNotifier, Notification, Notifier, NotifyError};
use taskbell_core::{Engine, EventKind, Source, TaskEvent, TaskRef, TaskStatus};

/// A desktop that has not answered by the time the process is gone. It never answers at all:
/// a fixed delay would let a loaded machine see it answer first, and the popup count as shown.
struct Slow;

impl Notifier for Slow {
    fn show(&self, _: &Notification) -> Result<(), NotifyError> {
        loop {
            std::thread::park();
        }
    }
}

fn ev(key: &str, status: TaskStatus, at: time::OffsetDateTime) -> TaskEvent {
    TaskEvent {
        delivery_key: key.into(),
        task: TaskRef::new("sandbox", "t-1"),
        kind: EventKind::for_status(status),
        source: Source::Socket,
        at: Some(at),
        status: Some(status),
        actor: None,
        snapshot: taskbell_core::task::TaskSnapshot {
            description: Some("Fax the referral".into()),
            ..Default::default()
        },
        external_id: None,
    }
}

fn everyone(engine: &Engine) {
    engine.set_prefs(NotifyPrefs {
        scope: NotifyScope::Everyone,
        ..Default::default()
    });
}

#[test]
fn a_completion_stored_just_before_a_crash_is_announced_at_the_next_start_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("taskbell.db");
    let now = time::OffsetDateTime::now_utc();

    // The first run stores the completion, then dies while the desktop is still showing it.
    let first = tokio::runtime::Runtime::new().expect("runtime");
    first.block_on(async {
        let engine = Engine::open(&db, Arc::new(Slow)).expect("engine");
        everyone(&engine);
        engine
            .ingest(ev("open", TaskStatus::Open, now))
            .await
            .expect("created");
        let done = engine
            .ingest(ev(
                "done",
                TaskStatus::Completed,
                now + time::Duration::seconds(1),
            ))
            .await
            .expect("done");
        assert!(done.notified, "the completion is to be announced");
    });
    first.shutdown_background();

    // The next start: announced once, and not again by a later call or a later start.
    let second = tokio::runtime::Runtime::new().expect("runtime");
    second.block_on(async {
        let notes = Arc::new(MemoryNotifier::default());
        let engine = Engine::open(&db, notes.clone()).expect("engine");
        everyone(&engine);
        assert_eq!(engine.announce_pending().await.expect("announce"), 1);
        common::eventually(5, "the notification", || notes.shown().len() == 1).await;
        assert_eq!(notes.shown()[0].summary, "Task completed");
        assert_eq!(
            engine.announce_pending().await.expect("again"),
            0,
            "once per start"
        );
        common::eventually(5, "the mark to clear", || {
            let db = db.clone();
            rusqlite::Connection::open(db)
                .and_then(|c| {
                    c.query_row(
                        "SELECT count(*) FROM notices WHERE popup = 'pending'",
                        [],
                        |r| r.get::<_, i64>(0),
                    )
                })
                .is_ok_and(|n| n == 0)
        })
        .await;
    });
    let third = tokio::runtime::Runtime::new().expect("runtime");
    third.block_on(async {
        let notes = Arc::new(MemoryNotifier::default());
        let engine = Engine::open(&db, notes.clone()).expect("engine");
        assert_eq!(
            engine.announce_pending().await.expect("announce"),
            0,
            "already announced"
        );
    });
}

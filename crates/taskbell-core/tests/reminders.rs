//! Reminders with an injected clock over a real SQLite file: due soon and overdue each fire
//! once, one owed while Taskbell was off fires at the next start (and a due-soon reminder that
//! was missed is not shown late), a due date moved later arms them again, and the loop's next
//! wake-up is the next reminder, not a polling interval.

mod common;

use std::sync::Arc;
use std::time::Duration;
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::task::{Party, TaskSnapshot};
use taskbell_core::time_util::{from_millis, now_millis, Clock};
use taskbell_core::{Engine, EventKind, Source, TaskEvent, TaskRef, TaskStatus};

const MIN: i64 = 60_000;

/// An engine whose Canvas never answered, so due dates are held against `clock`.
fn engine_at(db: &std::path::Path, clock: Clock) -> (Engine, Arc<MemoryNotifier>) {
    common::offline_engine(db, clock)
}

fn task(id: &str, owner: &str, due: i64, at: i64) -> TaskEvent {
    TaskEvent {
        delivery_key: format!("k-{id}-{at}"),
        task: TaskRef::new("sandbox", id),
        kind: EventKind::Created,
        source: Source::Webhook,
        at: Some(from_millis(at)),
        status: Some(TaskStatus::Open),
        actor: None,
        snapshot: TaskSnapshot {
            description: Some(format!("task {id}")),
            owner: Some(Party::id(owner)),
            patient: Some(Party {
                id: "p1".into(),
                display: Some("Ada Quill".into()),
            }),
            due: Some(from_millis(due)),
            ..Default::default()
        },
        external_id: None,
    }
}

fn summaries(notes: &MemoryNotifier) -> Vec<(String, String)> {
    let mut s: Vec<_> = notes
        .shown()
        .into_iter()
        .map(|n| (n.task.id, n.summary))
        .collect();
    s.sort();
    s
}

#[tokio::test]
async fn reminders_fire_once_across_restarts_and_rearm_when_the_due_date_moves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("taskbell.db");
    let now = now_millis();
    let (engine, notes) = engine_at(&db, Clock::system());
    let events = vec![
        task("soon", "me", now + 30 * MIN, now - 60 * MIN),
        task("later", "me", now + 180 * MIN, now - 60 * MIN),
        task("late", "me", now - 10 * MIN, now - 60 * MIN),
        task("theirs", "someone", now - 10 * MIN, now - 60 * MIN),
    ];
    engine.ingest_all(events).await.expect("stored");

    assert_eq!(engine.fire_reminders().await.expect("fired"), 2);
    let s = |id: &str, what: &str| (id.to_string(), what.to_string());
    assert_eq!(
        summaries(&notes),
        [s("late", "Task overdue"), s("soon", "Task due soon")]
    );
    assert!(
        notes.shown().iter().all(|n| !n.body.contains("Ada Quill")),
        "no patient name unless asked"
    );
    assert_eq!(
        engine.fire_reminders().await.expect("fired"),
        0,
        "each fires once"
    );
    let next = engine
        .next_reminder_in()
        .await
        .expect("next")
        .expect("one is coming");
    assert!(
        next <= Duration::from_secs(30 * 60) && next > Duration::from_secs(28 * 60),
        "{next:?}: 'soon' is overdue in 30 min"
    );

    // Four hours on, with Taskbell stopped meanwhile: what fell due fires at this start, once.
    drop(engine);
    let (after, notes_after) = engine_at(&db, Clock::skewed(time::Duration::hours(4)));
    assert_eq!(after.fire_reminders().await.expect("fired"), 2);
    assert_eq!(
        summaries(&notes_after),
        [s("later", "Task overdue"), s("soon", "Task overdue")]
    );
    assert_eq!(after.fire_reminders().await.expect("fired"), 0);
    let (again, notes_again) = engine_at(&db, Clock::skewed(time::Duration::hours(4)));
    assert_eq!(
        again.fire_reminders().await.expect("fired"),
        0,
        "a restart does not repeat them"
    );
    assert!(notes_again.shown().is_empty());
    assert_eq!(
        again.next_reminder_in().await.expect("next"),
        None,
        "nothing coming: no timer"
    );

    // Someone moves the overdue task's due date to tomorrow: it will remind again.
    let later_now = now + 240 * MIN;
    again
        .ingest(task("late", "me", later_now + 24 * 60 * MIN, now))
        .await
        .expect("moved");
    let next = again
        .next_reminder_in()
        .await
        .expect("next")
        .expect("re-armed");
    assert!(
        next > Duration::from_secs(22 * 3600) && next <= Duration::from_secs(23 * 3600),
        "{next:?}"
    );
}

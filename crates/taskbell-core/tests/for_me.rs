//! "For me" over a real SQLite file: open tasks of mine and of my teams, soonest due first,
//! with overdue and due-today marks in the user's own day, and nothing closed or someone else's.

use taskbell_core::store::{ForMeQuery, ForWhom, Store};
use taskbell_core::task::{Party, TaskSnapshot};
use taskbell_core::time_util::from_millis;
use taskbell_core::{EventKind, Source, TaskEvent, TaskRef, TaskStatus};

const HOUR: i64 = 3_600_000;
/// 2026-11-30T10:00:00Z.
const NOW: i64 = 1_796_032_800_000;

fn task(
    id: &str,
    owner: Option<&str>,
    team: Option<&str>,
    due: Option<i64>,
    status: TaskStatus,
) -> TaskEvent {
    TaskEvent {
        delivery_key: format!("k-{id}"),
        task: TaskRef::new("sandbox", id),
        kind: EventKind::Created,
        source: Source::Webhook,
        at: Some(from_millis(NOW - 48 * HOUR)),
        status: Some(status),
        actor: None,
        snapshot: TaskSnapshot {
            description: Some(format!("task {id}")),
            owner: owner.map(Party::id),
            team: team.map(Party::id),
            due: due.map(from_millis),
            ..Default::default()
        },
        external_id: None,
    }
}

fn ids(store: &Store, q: &ForMeQuery) -> Vec<(String, bool, bool)> {
    store
        .for_me(q)
        .expect("for me")
        .into_iter()
        .map(|r| (r.task.task_id, r.overdue, r.due_today))
        .collect()
}

#[test]
fn my_open_tasks_and_my_teams_soonest_due_first_with_marks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("taskbell.db")).expect("store");
    let events = vec![
        task(
            "mine-later",
            Some("me"),
            None,
            Some(NOW + 72 * HOUR),
            TaskStatus::Open,
        ),
        task(
            "mine-overdue",
            Some("me"),
            None,
            Some(NOW - 2 * HOUR),
            TaskStatus::Open,
        ),
        task(
            "team-today",
            None,
            Some("billing"),
            Some(NOW + 3 * HOUR),
            TaskStatus::Open,
        ),
        task(
            "mine-undated",
            Some("me"),
            Some("billing"),
            None,
            TaskStatus::Open,
        ),
        task(
            "mine-done",
            Some("me"),
            None,
            Some(NOW - HOUR),
            TaskStatus::Completed,
        ),
        task(
            "theirs",
            Some("someone"),
            Some("front-desk"),
            Some(NOW),
            TaskStatus::Open,
        ),
    ];
    store.apply_batch(&events, false).expect("stored");
    let mut q = ForMeQuery {
        system: "sandbox".into(),
        me: Some("me".into()),
        teams: vec!["billing".into()],
        whom: ForWhom::Both,
        now: NOW,
        ..Default::default()
    };
    let s = |id: &str, overdue, today| (id.to_string(), overdue, today);
    assert_eq!(
        ids(&store, &q),
        [
            s("mine-overdue", true, true),
            s("team-today", false, true),
            s("mine-later", false, false),
            s("mine-undated", false, false)
        ]
    );
    q.whom = ForWhom::Teams;
    assert_eq!(
        ids(&store, &q),
        [
            s("team-today", false, true),
            s("mine-undated", false, false)
        ]
    );
    q.whom = ForWhom::Me;
    q.overdue_only = true;
    assert_eq!(ids(&store, &q), [s("mine-overdue", true, true)]);

    // 10:00 UTC is already the next day 14 hours east: the task due at 13:00 UTC is due
    // "today" there, the one overdue since 08:00 UTC was due yesterday.
    q.overdue_only = false;
    q.whom = ForWhom::Both;
    q.utc_offset_ms = 14 * HOUR;
    let marks = ids(&store, &q);
    assert_eq!(marks[0], s("mine-overdue", true, false));
    assert_eq!(marks[1], s("team-today", false, true));

    q.me = None;
    q.teams.clear();
    assert!(
        ids(&store, &q).is_empty(),
        "nobody to look for: nothing, not everything"
    );
}

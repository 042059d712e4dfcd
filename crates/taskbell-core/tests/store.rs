//! The store against real SQLite files in temp dirs.

use std::os::unix::fs::PermissionsExt;
use taskbell_core::store::{HistoryQuery, Store};
use taskbell_core::task::{Party, TaskSnapshot};
use taskbell_core::time_util::from_millis;
use taskbell_core::{EventKind, Source, TaskEvent, TaskRef, TaskStatus};

const DAY: i64 = 86_400_000;
const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

fn event(key: &str, id: &str, kind: EventKind, status: Option<TaskStatus>, at: i64) -> TaskEvent {
    TaskEvent {
        delivery_key: key.into(),
        task: TaskRef::new("sandbox", id),
        kind,
        source: Source::Webhook,
        at: Some(from_millis(at)),
        status,
        actor: None,
        snapshot: TaskSnapshot::default(),
        external_id: None,
    }
}

fn open(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("taskbell.db")).expect("open store")
}

#[test]
fn migrates_from_empty_and_reopens() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let _store = open(&dir);
        let conn =
            rusqlite::Connection::open(dir.path().join("taskbell.db")).expect("a plain connection");
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        for t in [
            "outbox",
            "pending_reads",
            "poll_cursors",
            "task_events",
            "tasks",
            "tasks_fts",
        ] {
            assert!(
                tables.iter().any(|n| n == t),
                "missing table {t} in {tables:?}"
            );
        }
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("pragma");
        assert_eq!(mode, "wal");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("pragma");
        assert_eq!(version, 9, "one per file in migrations/");
    }
    // Opening again must not try to re-run the migration.
    let mut store = open(&dir);
    store
        .apply(&event("k", "1", EventKind::Created, None, T0), false)
        .expect("apply");
}

#[test]
fn database_files_are_private() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(&dir);
    store
        .apply(&event("k", "1", EventKind::Created, None, T0), false)
        .expect("apply");
    for name in ["taskbell.db", "taskbell.db-wal", "taskbell.db-shm"] {
        let meta = std::fs::metadata(dir.path().join(name)).expect(name);
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{name}");
    }
}

#[test]
fn a_repeated_delivery_key_is_stored_once_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(&dir);
    let created = store
        .apply(
            &event("c1", "t1", EventKind::Created, Some(TaskStatus::Open), T0),
            true,
        )
        .expect("apply");
    assert_eq!((created.duplicate, created.previous), (false, None));
    let done = event(
        "d1",
        "t1",
        EventKind::Completed,
        Some(TaskStatus::Completed),
        T0 + 1000,
    );
    let first = store.apply(&done, false).expect("apply");
    assert!(first.transitioned());
    assert_eq!(
        (first.previous, first.current, first.mine),
        (Some(TaskStatus::Open), TaskStatus::Completed, true)
    );
    let again = store.apply(&done, false).expect("apply");
    assert!(again.duplicate);
    assert!(!again.transitioned());
    assert_eq!(store.event_count().expect("count"), 2);
    assert_eq!(
        store
            .timeline(&TaskRef::new("sandbox", "t1"))
            .expect("timeline")
            .len(),
        2
    );
}

#[test]
fn an_older_event_joins_the_timeline_without_undoing_a_newer_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(&dir);
    store
        .apply(
            &event(
                "done",
                "t",
                EventKind::Completed,
                Some(TaskStatus::Completed),
                T0 + 5000,
            ),
            false,
        )
        .expect("apply");
    let late = store
        .apply(
            &event("upd", "t", EventKind::Updated, Some(TaskStatus::Open), T0),
            false,
        )
        .expect("apply");
    assert!(late.stale && !late.transitioned());
    let row = store
        .task(&TaskRef::new("sandbox", "t"))
        .expect("read")
        .expect("row");
    assert_eq!(row.status, TaskStatus::Completed);
    assert_eq!(
        store
            .timeline(&TaskRef::new("sandbox", "t"))
            .expect("timeline")
            .len(),
        2
    );
}

#[test]
fn an_older_event_still_fills_in_what_the_newer_ones_left_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(&dir);
    // A push with no patient arrives before the app's own create event, which knows the patient.
    let mut push = event(
        "push",
        "t",
        EventKind::Created,
        Some(TaskStatus::Open),
        T0 + 500,
    );
    push.snapshot.description = Some("Fax the referral".into());
    store.apply(&push, false).expect("push");
    let mut own = event("own", "t", EventKind::Created, Some(TaskStatus::Open), T0);
    own.snapshot.description = Some("an older wording".into());
    own.snapshot.patient = Some(Party {
        id: "pat-1".into(),
        display: Some("Avery Quinn".into()),
    });
    let applied = store.apply(&own, true).expect("own");
    assert!(applied.stale && applied.mine);
    let row = store
        .task(&TaskRef::new("sandbox", "t"))
        .expect("read")
        .expect("row");
    assert_eq!(
        (row.patient_id.as_deref(), row.patient_name.as_deref()),
        (Some("pat-1"), Some("Avery Quinn"))
    );
    assert_eq!(
        row.description, "Fax the referral",
        "the newer description stays"
    );
    assert!(row.mine);
}

#[test]
fn the_same_id_in_two_systems_is_two_tasks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(&dir);
    store
        .apply(&event("a", "1", EventKind::Created, None, T0), false)
        .expect("apply");
    let mut other = event("b", "1", EventKind::Completed, None, T0);
    other.task.system = "fragment".into();
    let applied = store.apply(&other, false).expect("apply");
    assert_eq!(applied.previous, None);
    assert_eq!(store.task_count().expect("count"), 2);
}

/// 10 000 tasks over 100 days: 200 patients, 20 assignees, a third completed.
fn seed_history(store: &mut Store) {
    let words = [
        "insurance",
        "referral",
        "refill",
        "callback",
        "lab",
        "fax",
        "prior-auth",
        "scan",
    ];
    let events: Vec<TaskEvent> = (0..10_000i64)
        .flat_map(|i| {
            let at = T0 + i * (100 * DAY / 10_000);
            let mut created = event(
                &format!("c{i}"),
                &format!("task-{i}"),
                EventKind::Created,
                Some(TaskStatus::Open),
                at,
            );
            created.snapshot = TaskSnapshot {
                description: Some(format!(
                    "{} for patient {} #{i}",
                    words[(i % 8) as usize],
                    i % 200
                )),
                patient: Some(Party {
                    id: format!("pat-{}", i % 200),
                    display: Some(format!("Pat Q{}", i % 200)),
                }),
                owner: Some(Party {
                    id: format!("staff-{}", i % 20),
                    display: Some(format!("Nurse N{}", i % 20)),
                }),
                ..Default::default()
            };
            let done = (i % 3 == 0).then(|| {
                event(
                    &format!("d{i}"),
                    &format!("task-{i}"),
                    EventKind::Completed,
                    Some(TaskStatus::Completed),
                    at + 3_600_000,
                )
            });
            std::iter::once(created).chain(done)
        })
        .collect();
    for chunk in events.chunks(1000) {
        store.apply_batch(chunk, false).expect("batch");
    }
}

fn all_pages(store: &Store, mut q: HistoryQuery) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let page = store.history(&q).expect("history");
        ids.extend(page.rows.iter().map(|r| r.task_id.clone()));
        match page.next {
            Some(c) => q.after = Some(c),
            None => return ids,
        }
    }
}

#[test]
fn history_queries_over_ten_thousand_tasks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(&dir);
    seed_history(&mut store);
    assert_eq!(store.task_count().expect("count"), 10_000);

    // Keyset paging visits every task once, newest first.
    let all = all_pages(
        &store,
        HistoryQuery {
            limit: 333,
            ..Default::default()
        },
    );
    assert_eq!(all.len(), 10_000);
    assert_eq!(all.first().map(String::as_str), Some("task-9999"));
    let unique: std::collections::HashSet<_> = all.iter().collect();
    assert_eq!(unique.len(), 10_000);

    let completed = all_pages(
        &store,
        HistoryQuery {
            statuses: vec![TaskStatus::Completed],
            limit: 500,
            ..Default::default()
        },
    );
    assert_eq!(completed.len(), 3334);

    // Days 10..20 hold tasks 1000..1999.
    let range = HistoryQuery {
        from: Some(T0 + 10 * DAY),
        to: Some(T0 + 20 * DAY),
        limit: 500,
        ..Default::default()
    };
    let in_range = all_pages(&store, range);
    assert_eq!(in_range.len(), 1000);
    assert!(in_range
        .iter()
        .all(|id| (1000..2000).contains(&id[5..].parse::<i64>().expect("n"))));

    let patient = all_pages(
        &store,
        HistoryQuery {
            patient_id: Some("pat-7".into()),
            limit: 10,
            ..Default::default()
        },
    );
    assert_eq!(patient.len(), 50);
    let assignee = HistoryQuery {
        assignee_id: Some("staff-3".into()),
        statuses: vec![TaskStatus::Open],
        limit: 100,
        ..Default::default()
    };
    // staff-3 has i % 20 == 3 (500 tasks); of those, i % 3 != 0 are open.
    let expected_open = (0..10_000).filter(|i| i % 20 == 3 && i % 3 != 0).count();
    assert_eq!(all_pages(&store, assignee).len(), expected_open);

    // Text search: a description word prefix, a patient name and an assignee name.
    let refill = all_pages(
        &store,
        HistoryQuery {
            text: Some("refi".into()),
            limit: 500,
            ..Default::default()
        },
    );
    assert_eq!(refill.len(), 1250);
    let by_name = all_pages(
        &store,
        HistoryQuery {
            text: Some("Q137".into()),
            limit: 500,
            ..Default::default()
        },
    );
    assert_eq!(by_name.len(), 50);
    let combined = HistoryQuery {
        text: Some("lab N4".into()),
        limit: 500,
        ..Default::default()
    };
    let expected = (0..10_000).filter(|i| i % 8 == 4 && i % 20 == 4).count();
    assert_eq!(all_pages(&store, combined).len(), expected);

    let stats = store.stats(T0, T0 + 200 * DAY, 0).expect("stats");
    assert_eq!(stats.per_day.iter().map(|d| d.completed).sum::<u32>(), 3334);
    assert_eq!(stats.median_ms_to_complete, Some(3_600_000));
}

/// A common word is read by walking the tasks in date order and a rare one by sorting its
/// matches; either way the pages come newest first, even when tasks arrived out of order.
#[test]
fn a_search_pages_newest_first_whether_its_word_is_common_or_rare() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = open(&dir);
    const N: i64 = 3000;
    // Created times are a permutation of the arrival order, as a reconcile of old tasks makes.
    let created = |i: i64| T0 + ((i * 7919) % N) * 60_000;
    let events: Vec<TaskEvent> = (0..N)
        .flat_map(|i| {
            let mut c = event(
                &format!("c{i}"),
                &format!("task-{i}"),
                EventKind::Created,
                Some(TaskStatus::Open),
                created(i),
            );
            let word = if i % 30 == 0 {
                "rare common"
            } else if i % 3 != 0 {
                "common"
            } else {
                "other"
            };
            c.snapshot = TaskSnapshot {
                description: Some(format!("{word} #{i}")),
                ..Default::default()
            };
            let done = (i % 2 == 0).then(|| {
                event(
                    &format!("d{i}"),
                    &format!("task-{i}"),
                    EventKind::Completed,
                    Some(TaskStatus::Completed),
                    created(i) + 1,
                )
            });
            std::iter::once(c).chain(done)
        })
        .collect();
    for chunk in events.chunks(1000) {
        store.apply_batch(chunk, false).expect("batch");
    }
    let expected = |keep: &dyn Fn(i64) -> bool| {
        let mut ids: Vec<i64> = (0..N).filter(|&i| keep(i)).collect();
        ids.sort_by_key(|&i| std::cmp::Reverse(created(i)));
        ids.into_iter()
            .map(|i| format!("task-{i}"))
            .collect::<Vec<_>>()
    };
    let search = |text: &str, statuses: Vec<TaskStatus>| {
        all_pages(
            &store,
            HistoryQuery {
                text: Some(text.into()),
                statuses,
                limit: 97,
                ..Default::default()
            },
        )
    };
    let common = |i: i64| i % 30 == 0 || i % 3 != 0;
    assert_eq!(search("common", vec![]), expected(&common));
    assert_eq!(search("rare", vec![]), expected(&|i| i % 30 == 0));
    assert_eq!(
        search("comm", vec![TaskStatus::Completed]),
        expected(&|i| common(i) && i % 2 == 0)
    );
    assert_eq!(
        search("rare", vec![TaskStatus::Open]),
        expected(&|i| i % 30 == 0 && i % 2 == 1)
    );
    assert!(search("absent", vec![]).is_empty());
}

#[test]
fn history_uses_indexes_not_scans_for_keyset_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _store = open(&dir);
    let conn =
        rusqlite::Connection::open(dir.path().join("taskbell.db")).expect("a plain connection");
    let plan: Vec<String> = conn
        .prepare(
            "EXPLAIN QUERY PLAN SELECT * FROM tasks WHERE status IN ('open') AND (created_at, rowid) < (1, 1)
             ORDER BY created_at DESC, rowid DESC LIMIT 51",
        )
        .expect("prepare")
        .query_map([], |r| r.get::<_, String>(3))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let plan = plan.join(" | ");
    assert!(
        plan.contains("SEARCH tasks USING INDEX tasks_by_status"),
        "{plan}"
    );
    assert!(!plan.contains("TEMP B-TREE"), "sorting in memory: {plan}");
}

#[test]
fn cursors_and_outbox_persist() {
    use taskbell_core::canvas::TaskDraft;
    use taskbell_core::store::{OutboxState, PollCursor, Work};
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = open(&dir);
        store
            .set_poll_cursor(
                "sandbox",
                &PollCursor {
                    cursor_at: 42,
                    modified_supported: Some(false),
                },
            )
            .expect("cursor");
        let draft = TaskDraft {
            description: "Fax records".into(),
            requester: "p1".into(),
            ..Default::default()
        };
        store
            .outbox_add(
                "local-1",
                "sandbox",
                &Work::Create { draft },
                None,
                0,
                100,
                "claim-a",
            )
            .expect("outbox");
        assert!(store
            .outbox_finish(
                "local-1",
                "claim-a",
                OutboxState::Uncertain,
                Some("timed out"),
                None,
                0
            )
            .expect("finish"));
    }
    let store = open(&dir);
    assert_eq!(
        store.poll_cursor("sandbox").expect("read"),
        Some(PollCursor {
            cursor_at: 42,
            modified_supported: Some(false)
        })
    );
    let due = store.outbox_due(1).expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(
        (
            due[0].state,
            due[0].attempts,
            match &due[0].work {
                Work::Create { draft } => draft.description.as_str(),
                Work::Act { .. } => "an action",
            }
        ),
        (OutboxState::Uncertain, 1, "Fax records")
    );
    let claimed = store.outbox_claim_due("sandbox", 1, 1000).expect("claim");
    assert_eq!(claimed.len(), 1);
    assert!(
        claimed[0].uncertain,
        "an entry whose answer was lost is looked for before it is sent again"
    );
    assert!(store
        .outbox_finish(
            "local-1",
            &claimed[0].claim,
            OutboxState::Created,
            None,
            Some("task-9"),
            i64::MAX
        )
        .expect("finish"));
    assert!(store.outbox_due(i64::MAX - 1).expect("due").is_empty());
    assert_eq!(
        store
            .outbox_entry("local-1")
            .expect("read")
            .and_then(|e| e.task_id),
        Some("task-9".into())
    );
}

#[test]
fn an_outbox_entry_is_claimed_by_one_sender_at_a_time() {
    use taskbell_core::canvas::TaskDraft;
    use taskbell_core::store::{OutboxState, Work};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir);
    let other = open(&dir);
    let draft = TaskDraft {
        description: "Call back".into(),
        requester: "p1".into(),
        ..Default::default()
    };
    store
        .outbox_add(
            "local-1",
            "sandbox",
            &Work::Create { draft },
            None,
            0,
            100,
            "creator",
        )
        .expect("outbox");

    // Claimed by its creator until the lease runs out: nobody else may send it.
    assert!(store
        .outbox_claim_due("sandbox", 50, 150)
        .expect("claim")
        .is_empty());
    assert!(
        other
            .outbox_claim_due("sandbox", 99, 150)
            .expect("claim")
            .is_empty(),
        "another process sees the claim too"
    );
    assert_eq!(
        store
            .outbox_entry("local-1")
            .expect("read")
            .map(|e| e.state),
        Some(OutboxState::Sending)
    );

    // The lease ran out: the sender died. The entry is taken once, and as uncertain.
    let taken = other.outbox_claim_due("sandbox", 100, 200).expect("claim");
    assert_eq!(taken.len(), 1);
    assert!(taken[0].uncertain, "a dead sender may have reached Canvas");
    assert!(
        store
            .outbox_claim_due("sandbox", 100, 200)
            .expect("claim")
            .is_empty(),
        "claimed once"
    );

    // The first sender wakes up late: its outcome is no longer its to record.
    assert!(!store
        .outbox_finish(
            "local-1",
            "creator",
            OutboxState::Pending,
            Some("late"),
            None,
            0
        )
        .expect("finish"));
    assert!(other
        .outbox_finish(
            "local-1",
            &taken[0].claim,
            OutboxState::Created,
            None,
            Some("t-1"),
            i64::MAX
        )
        .expect("finish"));
    assert_eq!(
        store
            .outbox_entry("local-1")
            .expect("read")
            .map(|e| e.state),
        Some(OutboxState::Created)
    );
    assert!(
        store
            .outbox_claim_due("sandbox", i64::MAX - 1, i64::MAX)
            .expect("claim")
            .is_empty(),
        "a created entry is never sent again"
    );
}

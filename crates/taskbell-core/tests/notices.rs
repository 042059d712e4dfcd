//! Notices over a real SQLite file: work that lands on the user (assigned to them or to their
//! team, a comment by someone else) is announced once; the backlog of a first reconcile is not;
//! quiet hours hold notifications as unread; a snoozed reminder comes back once.

mod common;

use std::sync::Arc;
use std::time::Duration;
use taskbell_core::engine::{NotifyPrefs, QuietHours};
use taskbell_core::notify::{MemoryNotifier, NoticeAction, NoticeKind};
use taskbell_core::store::PollCursor;
use taskbell_core::task::{NotesSeen, Party, TaskSnapshot};
use taskbell_core::time_util::{from_millis, now_millis, Clock};
use taskbell_core::{Engine, EventKind, Source, TaskEvent, TaskRef, TaskStatus};

const MIN: i64 = 60_000;

fn engine_at(db: &std::path::Path, clock: Clock) -> (Engine, Arc<MemoryNotifier>) {
    let (engine, notes) = common::offline_engine(db, clock);
    engine.set_prefs(NotifyPrefs {
        teams: vec!["front-desk".into()],
        ..NotifyPrefs::default()
    });
    (engine, notes)
}

/// The state of task `id` as Canvas says it at `at`.
struct State {
    id: &'static str,
    at: i64,
    owner: Option<&'static str>,
    team: Option<&'static str>,
    requester: &'static str,
    notes: Option<(u32, &'static str)>,
    actor: Option<&'static str>,
    kind: EventKind,
}

impl State {
    fn new(id: &'static str, at: i64) -> Self {
        State {
            id,
            at,
            owner: Some("other"),
            team: None,
            requester: "boss",
            notes: None,
            actor: None,
            kind: EventKind::Updated,
        }
    }

    fn event(&self) -> TaskEvent {
        TaskEvent {
            delivery_key: format!("k-{}-{}-{:?}", self.id, self.at, self.kind),
            task: TaskRef::new("sandbox", self.id),
            kind: self.kind,
            source: Source::Poll,
            at: Some(from_millis(self.at)),
            status: Some(TaskStatus::Open),
            actor: self.actor.map(str::to_string),
            snapshot: TaskSnapshot {
                description: Some(format!("task {}", self.id)),
                owner: self.owner.map(Party::id),
                team: self.team.map(Party::id),
                requester: Some(Party::id(self.requester)),
                patient: Some(Party {
                    id: "p1".into(),
                    display: Some("Ada Quill".into()),
                }),
                notes: self.notes.map(|(count, by)| NotesSeen {
                    count,
                    last_by: Some(by.into()),
                }),
                full: self.kind != EventKind::Commented,
                ..Default::default()
            },
            external_id: None,
        }
    }
}

async fn follow_since(engine: &Engine, at: i64) {
    let cursor = PollCursor {
        cursor_at: at,
        modified_supported: None,
    };
    engine
        .write(move |s| s.set_poll_cursor("sandbox", &cursor))
        .await
        .expect("cursor");
}

async fn ingest(engine: &Engine, s: State) -> bool {
    engine.ingest(s.event()).await.expect("ingested").notified
}

/// What was shown, as (task, summary), after the background popups ran.
async fn shown(notes: &MemoryNotifier, expected: usize) -> Vec<(String, String)> {
    for _ in 0..200 {
        if notes.shown().len() >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Long enough for a popup that should not come to show up.
    tokio::time::sleep(Duration::from_millis(50)).await;
    notes
        .shown()
        .into_iter()
        .map(|n| (n.task.id, n.summary))
        .collect()
}

fn pair(id: &str, summary: &str) -> (String, String) {
    (id.to_string(), summary.to_string())
}

#[tokio::test]
async fn a_task_reassigned_to_me_by_someone_else_is_announced_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, notes) = engine_at(&dir.path().join("t.db"), Clock::system());
    let t0 = now_millis() - 60 * MIN;
    assert!(
        !ingest(&engine, State::new("a", t0)).await,
        "someone else's"
    );
    let to_me = State {
        owner: Some("me"),
        actor: Some("boss"),
        ..State::new("a", t0 + MIN)
    };
    let again = to_me.event();
    assert!(ingest(&engine, to_me).await, "reassigned to me");
    assert!(
        !engine.ingest(again).await.expect("ingested").notified,
        "the same delivery twice"
    );
    let later = State {
        owner: Some("me"),
        ..State::new("a", t0 + 2 * MIN)
    };
    assert!(!ingest(&engine, later).await, "still mine: no news");
    // Someone else's task that I take myself is not news to me.
    ingest(&engine, State::new("b", t0)).await;
    let taken = State {
        owner: Some("me"),
        actor: Some("me"),
        ..State::new("b", t0 + MIN)
    };
    assert!(!ingest(&engine, taken).await, "taken by me");
    assert_eq!(shown(&notes, 1).await, [pair("a", "Assigned to you")]);
    let n = &notes.shown()[0];
    assert_eq!(n.kind, NoticeKind::Assigned);
    assert!(n.actions.contains(&NoticeAction::Done), "Mark done offered");
    assert!(
        !n.body.contains("Ada Quill"),
        "no patient name unless asked"
    );
}

#[tokio::test]
async fn new_tasks_for_me_are_news_but_a_first_reconciles_backlog_is_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, notes) = engine_at(&dir.path().join("t.db"), Clock::system());
    let t0 = now_millis() - 60 * MIN;
    let mine = |id, at| State {
        owner: Some("me"),
        ..State::new(id, at)
    };
    assert!(
        !ingest(&engine, mine("backlog", t0)).await,
        "nothing followed yet"
    );
    follow_since(&engine, t0 + 10 * MIN).await;
    assert!(
        !ingest(&engine, mine("old", t0 + 5 * MIN)).await,
        "older than the cursor"
    );
    assert!(
        ingest(&engine, mine("new", t0 + 11 * MIN)).await,
        "created since"
    );
    let own = State {
        requester: "me",
        ..mine("own", t0 + 12 * MIN)
    };
    assert!(!ingest(&engine, own).await, "one I requested for myself");
    assert_eq!(shown(&notes, 1).await, [pair("new", "Assigned to you")]);
}

#[tokio::test]
async fn a_task_moved_to_my_team_is_announced_unless_switched_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, notes) = engine_at(&dir.path().join("t.db"), Clock::system());
    let t0 = now_millis() - 60 * MIN;
    for id in ["a", "b", "c"] {
        ingest(&engine, State::new(id, t0)).await;
    }
    let to_team = |id, at, team| State {
        owner: None,
        team: Some(team),
        ..State::new(id, at)
    };
    assert!(ingest(&engine, to_team("a", t0 + MIN, "front-desk")).await);
    assert!(
        !ingest(&engine, to_team("b", t0 + MIN, "billing")).await,
        "not my team"
    );
    engine.set_prefs(NotifyPrefs {
        teams: vec!["front-desk".into()],
        assigned_to_team: false,
        ..NotifyPrefs::default()
    });
    assert!(
        !ingest(&engine, to_team("c", t0 + MIN, "front-desk")).await,
        "switched off"
    );
    assert_eq!(shown(&notes, 1).await, [pair("a", "Assigned to your team")]);
}

#[tokio::test]
async fn a_comment_by_someone_else_on_my_task_is_announced_once_however_it_arrives() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, notes) = engine_at(&dir.path().join("t.db"), Clock::system());
    let t0 = now_millis() - 60 * MIN;
    let read = |at, notes| State {
        requester: "me",
        notes: Some(notes),
        ..State::new("a", at)
    };
    assert!(
        !ingest(&engine, read(t0, (1, "other"))).await,
        "first sight: nothing to compare"
    );
    assert!(
        ingest(&engine, read(t0 + MIN, (2, "other"))).await,
        "a new note by someone else"
    );
    assert!(
        !ingest(&engine, read(t0 + 2 * MIN, (3, "me"))).await,
        "my own note"
    );
    // The plugin's comment push, then the read of the same change: one notice.
    let pushed = State {
        requester: "me",
        kind: EventKind::Commented,
        actor: Some("other"),
        ..State::new("a", t0 + 3 * MIN)
    };
    assert!(ingest(&engine, pushed).await, "pushed comment");
    assert!(
        !ingest(&engine, read(t0 + 3 * MIN, (4, "other"))).await,
        "the read of that same comment"
    );
    // Not my task: no news.
    let theirs = |at, notes| State {
        notes: Some(notes),
        ..State::new("b", at)
    };
    ingest(&engine, theirs(t0, (0, "other"))).await;
    assert!(!ingest(&engine, theirs(t0 + MIN, (1, "other"))).await);
    let got = shown(&notes, 2).await;
    assert_eq!(
        got,
        [
            pair("a", "New comment on a task"),
            pair("a", "New comment on a task")
        ]
    );
}

#[tokio::test]
async fn quiet_hours_hold_notifications_as_unread_until_marked_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, notes) = engine_at(&dir.path().join("t.db"), Clock::system());
    let t0 = now_millis() - 60 * MIN;
    ingest(&engine, State::new("a", t0)).await;
    ingest(&engine, State::new("b", t0)).await;
    // Two hours around now, in UTC: the test process never read its local offset.
    let minute = (now_millis() / MIN).rem_euclid(24 * 60);
    let hhmm = |m: i64| {
        let m = m.rem_euclid(24 * 60);
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    engine.set_prefs(NotifyPrefs {
        quiet_hours: Some(QuietHours {
            start: hhmm(minute - 60),
            end: hhmm(minute + 60),
        }),
        ..NotifyPrefs::default()
    });
    assert!(engine.quiet_now(), "inside the window");
    let to_me = |id| State {
        owner: Some("me"),
        ..State::new(id, t0 + MIN)
    };
    assert!(!ingest(&engine, to_me("a")).await, "held, not shown");
    engine.set_prefs(NotifyPrefs::default());
    assert!(
        ingest(&engine, to_me("b")).await,
        "shown outside quiet hours"
    );
    assert_eq!(shown(&notes, 1).await, [pair("b", "Assigned to you")]);
    let unread = engine.unread().await.expect("unread");
    let listed: Vec<_> = unread
        .iter()
        .map(|n| (n.task.id.as_str(), n.held))
        .collect();
    assert_eq!(
        listed,
        [("b", false), ("a", true)],
        "newest first, the held one marked"
    );
    assert_eq!(engine.unread_count().await.expect("count"), 2);
    assert_eq!(engine.mark_read(unread[1].id).await.expect("read"), 1);
    assert_eq!(engine.unread_count().await.expect("count"), 1);
    assert_eq!(engine.mark_all_read().await.expect("read"), 1);
    assert_eq!(engine.unread_count().await.expect("count"), 0);
}

#[tokio::test]
async fn a_snoozed_reminder_comes_back_once_an_hour_later_even_across_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("t.db");
    let now = now_millis();
    let (engine, notes) = engine_at(&db, Clock::system());
    let late = State {
        owner: Some("me"),
        ..State::new("late", now - 60 * MIN)
    };
    let mut e = late.event();
    e.snapshot.due = Some(from_millis(now - 10 * MIN));
    engine.ingest(e).await.expect("stored");
    assert_eq!(engine.fire_reminders().await.expect("fired"), 1);
    assert_eq!(shown(&notes, 1).await, [pair("late", "Task overdue")]);
    let task = TaskRef::new("sandbox", "late");
    engine
        .snooze(&task, Duration::from_secs(3600))
        .await
        .expect("snoozed");
    assert_eq!(engine.fire_reminders().await.expect("fired"), 0, "snoozed");
    let next = engine
        .next_reminder_in()
        .await
        .expect("next")
        .expect("one coming");
    assert!(
        next > Duration::from_secs(3590) && next <= Duration::from_secs(3600),
        "wakes for the snooze's end: {next:?}"
    );
    drop(engine);
    // An hour and a minute later, in a new process.
    let (later, notes) = engine_at(&db, Clock::skewed(time::Duration::minutes(61)));
    assert_eq!(later.fire_reminders().await.expect("fired"), 1, "back once");
    assert_eq!(
        later.fire_reminders().await.expect("fired"),
        0,
        "and only once"
    );
    assert_eq!(shown(&notes, 1).await, [pair("late", "Task overdue")]);
}

#[tokio::test]
async fn a_longer_lead_time_chosen_in_settings_wakes_the_reminder_loop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, notes) = engine_at(&dir.path().join("t.db"), Clock::system());
    let now = now_millis();
    let mut e = State {
        owner: Some("me"),
        ..State::new("later", now - 60 * MIN)
    }
    .event();
    e.snapshot.due = Some(from_millis(now + 180 * MIN));
    engine.ingest(e).await.expect("stored");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let looping = tokio::spawn({
        let engine = engine.clone();
        async move { engine.run_reminders(stopped).await }
    });
    assert!(
        shown(&notes, 1).await.is_empty(),
        "three hours out: not yet"
    );
    engine.set_prefs(NotifyPrefs {
        due_soon_minutes: Some(240),
        ..NotifyPrefs::default()
    });
    assert_eq!(shown(&notes, 1).await, [pair("later", "Task due soon")]);
    stop.send(true).expect("stop");
    looping.await.expect("the loop ends");
}

#[tokio::test]
async fn work_assigned_already_due_soon_is_one_notification_not_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (engine, notes) = engine_at(&dir.path().join("t.db"), Clock::system());
    let now = now_millis();
    ingest(&engine, State::new("soon", now - 60 * MIN)).await;
    ingest(&engine, State::new("later", now - 60 * MIN)).await;
    let to_me = |id, due| {
        let mut e = State {
            owner: Some("me"),
            ..State::new(id, now - 30 * MIN)
        }
        .event();
        e.snapshot.due = Some(from_millis(due));
        e
    };
    assert!(
        engine
            .ingest(to_me("soon", now + 30 * MIN))
            .await
            .expect("in")
            .notified
    );
    assert!(
        engine
            .ingest(to_me("later", now + 90 * MIN))
            .await
            .expect("in")
            .notified
    );
    assert_eq!(
        engine.fire_reminders().await.expect("fired"),
        0,
        "the assignment said when it is due; the other is not due soon yet"
    );
    let next = engine
        .next_reminder_in()
        .await
        .expect("next")
        .expect("one coming");
    assert!(
        next > Duration::from_secs(29 * 60) && next <= Duration::from_secs(30 * 60),
        "the later one's due-soon reminder is still to come: {next:?}"
    );
    assert_eq!(
        shown(&notes, 2).await,
        [
            pair("soon", "Assigned to you"),
            pair("later", "Assigned to you")
        ]
    );
}

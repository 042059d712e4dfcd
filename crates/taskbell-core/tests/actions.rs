//! Actions on existing tasks through the engine, against the sandbox over loopback HTTP and a
//! real SQLite file: every action keeps what a PUT would otherwise delete, an action taken
//! while Canvas is unreachable is sent once when it is back (also with two engines on one
//! database), a comment whose answer was lost is found rather than sent again, and a task
//! someone changed meanwhile is reported rather than overwritten.

mod common;

use canvas_sandbox::Sandbox;
use common::{client_for, draft, engine, sandbox};
use serde_json::Value;
use std::time::Duration;
use taskbell_core::canvas::{ActionRequest, CanvasClient, TaskAction};
use taskbell_core::engine::ActOutcome;
use taskbell_core::store::OutboxState;
use taskbell_core::time_util::parse_rfc3339;
use taskbell_core::{Engine, EngineError, TaskRef, TaskStatus};

fn puts(sb: &Sandbox) -> usize {
    sb.knobs()
        .task_writes()
        .iter()
        .filter(|(m, _)| *m == "PUT")
        .count()
}

/// A task with every field, made and settled, with no staff to finish it and no write recorded.
async fn task(sb: &Sandbox) -> String {
    sb.knobs().set_staff_delay(None);
    let client = client_for(sb);
    let id = client
        .create_task(&draft(sb, "Send the referral"))
        .await
        .expect("created");
    // Past the second of its creation, so writes start without waiting on Canvas's clock.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.read_task(&id).await.expect("read");
    sb.knobs().clear_task_writes();
    id
}

fn me(sb: &Sandbox) -> String {
    sb.clinic().requester
}

/// Everything but `changed` is as it was.
fn kept_except(before: &Value, after: &Value, changed: &[&str]) {
    for field in [
        "status",
        "description",
        "for",
        "owner",
        "requester",
        "restriction",
        "input",
        "authoredOn",
        "extension",
        "note",
    ] {
        if !changed.contains(&field) {
            assert_eq!(after[field], before[field], "{field} changed");
        }
    }
}

async fn act(engine: &Engine, id: &str, action: TaskAction) -> Result<ActOutcome, EngineError> {
    engine
        .act(&TaskRef::new("sandbox", id), ActionRequest::new(action))
        .await
}

#[tokio::test]
async fn each_action_changes_only_what_it_names_with_one_put() {
    let sb = sandbox().await;
    let t = engine();
    t.engine.set_canvas(Some(client_for(&sb)));
    let id = task(&sb).await;
    let clinic = sb.clinic();
    let due = parse_rfc3339("2031-02-03T04:05:06Z").expect("date");
    let steps: Vec<(TaskAction, &[&str])> = vec![
        (
            TaskAction::AssignOwner {
                practitioner: clinic.practitioners[2].0.clone(),
            },
            &["owner"],
        ),
        (
            TaskAction::AssignTeam {
                group: clinic.teams[1].0.clone(),
            },
            &["owner", "extension"],
        ),
        (TaskAction::Due { due }, &["restriction"]),
        (
            TaskAction::Comment {
                text: "Faxed at 10:05.".into(),
                author: me(&sb),
            },
            &["note"],
        ),
        (TaskAction::Complete, &["status"]),
        (TaskAction::Reopen, &["status"]),
        (TaskAction::Close, &["status"]),
    ];
    for (action, changed) in steps {
        let before = sb.task_json(&id).expect("stored");
        let puts_before = puts(&sb);
        let outcome = act(&t.engine, &id, action.clone()).await.expect("acted");
        assert!(
            matches!(outcome, ActOutcome::Done { already: None, .. }),
            "{action:?}: {outcome:?}"
        );
        assert_eq!(puts(&sb), puts_before + 1, "{action:?}: one PUT");
        let after = sb.task_json(&id).expect("stored");
        kept_except(&before, &after, changed);
        // Canvas's own words for what changed, and what the history now holds.
        let row = t.engine.read({
            let id = id.clone();
            move |s| s.task(&TaskRef::new("sandbox", &id))
        });
        let row = row.await.expect("read").expect("stored locally");
        match &action {
            TaskAction::AssignOwner { practitioner } => {
                assert_eq!(
                    after["owner"]["reference"],
                    format!("Practitioner/{practitioner}")
                );
                assert_eq!(row.assignee_id.as_deref(), Some(practitioner.as_str()));
            }
            TaskAction::AssignTeam { group } => {
                assert!(
                    after.get("owner").is_none(),
                    "the team's queue has no personal owner"
                );
                assert_eq!(
                    after["extension"][0]["valueReference"]["reference"],
                    format!("Group/{group}")
                );
                assert_eq!(row.team_id.as_deref(), Some(group.as_str()));
            }
            TaskAction::Due { .. } => assert_eq!(row.due_at, Some(due.unix_timestamp() * 1000)),
            TaskAction::Comment { text, .. } => {
                let notes = after["note"].as_array().expect("notes");
                assert_eq!(
                    notes.len(),
                    before["note"].as_array().map_or(0, Vec::len) + 1,
                    "one new note"
                );
                assert_eq!(notes.last().expect("a note")["text"], text.as_str());
            }
            a => assert_eq!(Some(row.status), a.target_status()),
        }
    }
    // Asked again, nothing changes and nothing is sent.
    let puts_before = puts(&sb);
    let again = act(&t.engine, &id, TaskAction::Close).await.expect("acted");
    assert!(
        matches!(
            again,
            ActOutcome::Done {
                already: Some(_),
                ..
            }
        ),
        "{again:?}"
    );
    assert_eq!(puts(&sb), puts_before);
    assert!(
        t.notes.shown().is_empty(),
        "the user is not told of their own actions: {:?}",
        t.notes.shown()
    );
}

#[tokio::test]
async fn completing_a_task_someone_closed_meanwhile_is_reported_not_done() {
    let sb = sandbox().await;
    let t = engine();
    t.engine.set_canvas(Some(client_for(&sb)));
    let id = task(&sb).await;
    assert!(sb.set_task_status(&id, "cancelled"));
    let asked = ActionRequest::new(TaskAction::Complete).seen(Some(TaskStatus::Open));
    let err = t
        .engine
        .act(&TaskRef::new("sandbox", &id), asked)
        .await
        .expect_err("refused");
    assert!(
        matches!(&err, EngineError::Refused(why) if why.contains("now closed")),
        "{err}"
    );
    assert_eq!(sb.task_json(&id).expect("stored")["status"], "cancelled");
    assert_eq!(puts(&sb), 0);
    let (status, entries) = t
        .engine
        .read({
            let id = id.clone();
            move |s| {
                Ok((
                    s.task(&TaskRef::new("sandbox", &id))?.map(|r| r.status),
                    s.outbox_actions("sandbox", &id)?,
                ))
            }
        })
        .await
        .expect("read");
    assert_eq!(
        status,
        Some(TaskStatus::Closed),
        "the history holds what Canvas says"
    );
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].state, OutboxState::Failed);
    assert!(entries[0]
        .last_error
        .as_deref()
        .is_some_and(|e| e.contains("now closed")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_action_taken_offline_is_sent_once_when_canvas_is_back_even_with_two_engines_on_one_database(
) {
    let sb = sandbox().await;
    let t = engine();
    let id = task(&sb).await;
    t.engine.set_canvas(Some(common::unreachable_client()));
    let outcome = act(&t.engine, &id, TaskAction::Complete)
        .await
        .expect("queued");
    assert!(matches!(outcome, ActOutcome::Queued { .. }), "{outcome:?}");
    assert_eq!(puts(&sb), 0);

    // Canvas is back: this engine and a second one on the same file both flush, at once and
    // after the entry's retry time.
    let other = Engine::open(
        &t.dir.path().join("taskbell.db"),
        std::sync::Arc::new(taskbell_core::notify::MemoryNotifier::default()),
    )
    .expect("a second engine");
    for e in [&t.engine, &other] {
        e.set_canvas(Some(client_for(&sb)));
    }
    let entries = t
        .engine
        .read(|s| s.outbox_due(i64::MAX))
        .await
        .expect("due");
    assert_eq!(entries.len(), 1);
    let local_id = entries[0].local_id.clone();
    assert!(t.engine.retry_now(&local_id).await.expect("retry"));
    let (a, b) = tokio::join!(t.engine.flush_outbox(), other.flush_outbox());
    let (a, b) = (a.expect("flush"), b.expect("flush"));
    assert_eq!(a.done + b.done, 1, "{a:?} {b:?}");
    assert_eq!(puts(&sb), 1);
    assert_eq!(sb.task_json(&id).expect("stored")["status"], "completed");
    let again = other.flush_outbox().await.expect("flush");
    assert_eq!(again.done, 0);
    assert_eq!(puts(&sb), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comment_whose_answer_was_lost_is_found_not_sent_again() {
    let sb = sandbox().await;
    let t = engine();
    let id = task(&sb).await;
    let mut cfg = client_for(&sb).config().clone();
    cfg.request_timeout = Duration::from_millis(400);
    t.engine
        .set_canvas(Some(CanvasClient::new(cfg).expect("client")));
    // Known to Canvas's clock already, as after any earlier answer.
    t.engine
        .canvas()
        .expect("client")
        .read_task(&id)
        .await
        .expect("read");
    sb.knobs().set_answer_delay(Duration::from_millis(900));
    let text = "Called the pharmacy.";
    let outcome = act(
        &t.engine,
        &id,
        TaskAction::Comment {
            text: text.into(),
            author: me(&sb),
        },
    )
    .await;
    sb.knobs().set_answer_delay(Duration::ZERO);
    assert!(
        matches!(outcome, Ok(ActOutcome::Queued { .. })),
        "{outcome:?}"
    );
    assert_eq!(puts(&sb), 1, "sent once, its answer lost");

    let entries = t
        .engine
        .read(|s| s.outbox_due(i64::MAX))
        .await
        .expect("due");
    assert_eq!(entries[0].state, OutboxState::Uncertain);
    assert!(t
        .engine
        .retry_now(&entries[0].local_id)
        .await
        .expect("retry"));
    let report = t.engine.flush_outbox().await.expect("flush");
    assert_eq!(report.done, 1, "{report:?}");
    assert_eq!(puts(&sb), 1, "found on the task, not sent again");
    let notes = sb.task_json(&id).expect("stored")["note"]
        .as_array()
        .expect("notes")
        .clone();
    assert_eq!(
        notes.iter().filter(|n| n["text"] == text).count(),
        1,
        "{notes:?}"
    );
}

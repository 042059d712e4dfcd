//! `taskbell-cli complete|close|reopen|comment|assign|due` against a sandbox, as a separate
//! process: exactly one PUT each, every other field kept, exactly one new note per comment,
//! and Canvas's own words with a non-zero exit when it refuses.

use canvas_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};
use taskbell_core::canvas::TaskDraft;

mod common;

use common::run as cli;

/// A task with every field a PUT could lose, and one comment.
async fn rich_task(sb: &Sandbox) -> String {
    let c = sb.clinic();
    let draft = TaskDraft {
        description: "Send the referral".into(),
        requester: c.requester.clone(),
        patient: Some(c.patients[0].0.clone()),
        owner: Some(c.practitioners[1].0.clone()),
        team: Some(c.teams[0].0.clone()),
        due: taskbell_core::time_util::parse_rfc3339("2030-01-01T12:00:00Z"),
        labels: vec!["Urgent".into()],
        comment: Some("Fax number is on file.".into()),
        ..Default::default()
    };
    common::client(sb)
        .create_task(&draft)
        .await
        .expect("created")
}

fn puts(sb: &Sandbox) -> usize {
    sb.knobs()
        .task_writes()
        .iter()
        .filter(|(m, _)| *m == "PUT")
        .count()
}

/// Everything but `changed` is as it was, notes included.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complete_sends_one_put_and_keeps_every_field() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let id = rich_task(&sb).await;
    let before = sb.task_json(&id).expect("stored");
    sb.knobs().clear_task_writes();

    let out = cli(&sb, &["complete", &id]).await;
    assert!(
        out.status.success(),
        "complete failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with(&format!("{id} completed ")), "{said}");

    let after = sb.task_json(&id).expect("stored");
    assert_eq!(after["status"], "completed");
    assert_eq!(puts(&sb), 1);
    kept_except(&before, &after, &["status"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn comment_sends_one_put_and_adds_exactly_one_note() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    let id = rich_task(&sb).await;
    let before = sb.task_json(&id).expect("stored");
    sb.knobs().clear_task_writes();

    let out = cli(&sb, &["comment", &id, "Faxed at 10:05."]).await;
    assert!(
        out.status.success(),
        "comment failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let after = sb.task_json(&id).expect("stored");
    assert_eq!(puts(&sb), 1);
    kept_except(&before, &after, &["note"]);
    let notes = after["note"].as_array().expect("notes");
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert_eq!(notes[1]["text"], "Faxed at 10:05.");
    assert_eq!(
        notes[1]["authorReference"]["reference"],
        json!(format!("Practitioner/{}", sb.clinic().requester))
    );

    let missing = cli(&sb, &["complete", "no-such-task"]).await;
    assert!(!missing.status.success(), "a missing task is an error");
    let said = String::from_utf8_lossy(&missing.stderr);
    assert!(
        said.contains("Canvas answered 404"),
        "Canvas's own answer: {said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_reopen_assign_and_due_each_send_one_put_and_change_only_their_field() {
    let sb = Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox");
    sb.knobs().set_staff_delay(None);
    let id = rich_task(&sb).await;
    let c = sb.clinic();
    let (person, team) = (c.practitioners[2].0.clone(), c.teams[1].0.clone());
    let steps: Vec<(Vec<&str>, &[&str], &str)> = vec![
        (vec!["close", &id], &["status"], " closed "),
        (vec!["reopen", &id], &["status"], " open "),
        (
            vec!["assign", &id, "--owner", &person],
            &["owner"],
            "owner=Practitioner/",
        ),
        (
            vec!["assign", &id, "--team", &team],
            &["owner", "extension"],
            "team=Group/",
        ),
        (
            vec!["due", &id, "2031-02-03T04:05:06Z"],
            &["restriction"],
            "due=2031-02-03T04:05:06Z",
        ),
    ];
    for (args, changed, says) in steps {
        let before = sb.task_json(&id).expect("stored");
        sb.knobs().clear_task_writes();
        let out = cli(&sb, &args).await;
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(said.contains(says), "{args:?} printed {said:?}");
        assert_eq!(puts(&sb), 1, "{args:?}");
        let after = sb.task_json(&id).expect("stored");
        kept_except(&before, &after, changed);
    }
    let after = sb.task_json(&id).expect("stored");
    assert_eq!(
        after["extension"][0]["valueReference"]["reference"],
        json!(format!("Group/{team}"))
    );
    assert!(
        after.get("owner").is_none(),
        "a team's task has no personal owner"
    );

    let neither = cli(&sb, &["assign", &id]).await;
    assert!(!neither.status.success(), "assign needs --owner or --team");
    let bad_date = cli(&sb, &["due", &id, "next tuesday"]).await;
    assert!(!bad_date.status.success());
    assert!(String::from_utf8_lossy(&bad_date.stderr).contains("RFC 3339"));
}

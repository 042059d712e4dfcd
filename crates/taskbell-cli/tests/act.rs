//! `taskbell-cli complete` and `taskbell-cli comment` against a sandbox, as a separate process:
//! exactly one PUT each, every field kept, exactly one new note.

use canvas_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};
use taskbell_core::canvas::{CanvasClient, CanvasConfig, TaskDraft};

async fn cli(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_taskbell-cli"))
        .args(args)
        .args([
            "--fhir-base",
            &sb.fhir_base(),
            "--token-url",
            &sb.token_url(),
        ])
        .args([
            "--client-id",
            &sb.config().client_id,
            "--requester",
            &sb.clinic().requester,
        ])
        .env("TASKBELL_CLIENT_SECRET", &sb.config().client_secret)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("taskbell-cli runs")
}

/// A task with every field a PUT could lose, and one comment.
async fn rich_task(sb: &Sandbox) -> String {
    let c = sb.clinic();
    let cfg = CanvasConfig::with_urls(
        "sandbox",
        &sb.fhir_base(),
        &sb.token_url(),
        &sb.config().client_id,
        &sb.config().client_secret,
    )
    .expect("config");
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
    CanvasClient::new(cfg)
        .expect("client")
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

fn kept(before: &Value, after: &Value) {
    for field in [
        "description",
        "for",
        "owner",
        "requester",
        "restriction",
        "input",
        "authoredOn",
        "extension",
    ] {
        assert_eq!(after[field], before[field], "{field} changed");
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
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("completed {id}")
    );

    let after = sb.task_json(&id).expect("stored");
    assert_eq!(after["status"], "completed");
    assert_eq!(puts(&sb), 1);
    kept(&before, &after);
    assert_eq!(after["note"], before["note"], "no note added or duplicated");
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
    kept(&before, &after);
    assert_eq!(after["status"], "requested");
    let notes = after["note"].as_array().expect("notes");
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert_eq!(notes[1]["text"], "Faxed at 10:05.");
    assert_eq!(
        notes[1]["authorReference"]["reference"],
        json!(format!("Practitioner/{}", sb.clinic().requester))
    );

    let missing = cli(&sb, &["complete", "no-such-task"]).await;
    assert!(!missing.status.success(), "a missing task is an error");
}

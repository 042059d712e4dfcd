//! The Canvas client against the sandbox, over real HTTP on loopback.

mod common;

use canvas_sandbox::{Sandbox, SandboxConfig};
use common::{client_for, draft, sandbox};
use serde_json::Value;
use std::time::{Duration, Instant};
use taskbell_core::canvas::{CanvasClient, CanvasConfig, CanvasError, TaskAction, TaskSearch};
use taskbell_core::time_util::parse_rfc3339;
use taskbell_core::TaskStatus;

#[tokio::test]
async fn create_takes_the_id_from_location_and_read_returns_every_field() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let d = draft(&sb, "Ask for new insurance card");
    let id = client.create_task(&d).await.expect("created");
    assert!(sb.task_json(&id).is_some(), "the sandbox has no task {id}");

    let task = client.read_task(&id).await.expect("read");
    assert_eq!(task.id, id);
    assert_eq!(task.status, TaskStatus::Open);
    assert_eq!(task.description, "Ask for new insurance card");
    assert_eq!(task.patient.map(|p| p.id), d.patient);
    assert_eq!(task.owner.map(|p| p.id), d.owner);
    assert_eq!(task.team.map(|p| p.id), d.team);
    assert_eq!(task.requester.map(|p| p.id), Some(d.requester));
    assert_eq!(task.due, d.due);
    assert_eq!(task.labels, d.labels);
    assert_eq!(task.notes.len(), 1);
    assert!(task
        .permalink
        .is_some_and(|p| p.starts_with(&sb.base_url())));
}

#[tokio::test]
async fn create_strips_a_history_suffix_from_location() {
    let sb = sandbox().await;
    let id = client_for(&sb)
        .create_task(&draft(&sb, "x"))
        .await
        .expect("created");
    assert!(!id.contains('/'), "{id}");
    assert!(sb.task_json(&id).is_some());
}

#[tokio::test]
async fn completing_keeps_every_field_and_adds_no_comment() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let id = client
        .create_task(&draft(&sb, "Fax the referral"))
        .await
        .expect("created");
    let before = sb.task_json(&id).expect("stored");

    let done = common::act(&client, &id, TaskAction::Complete)
        .await
        .expect("completed");
    assert_eq!(done.status, TaskStatus::Completed);

    let after = sb.task_json(&id).expect("stored");
    assert_eq!(after["status"], "completed");
    for field in [
        "description",
        "owner",
        "restriction",
        "input",
        "for",
        "requester",
        "authoredOn",
    ] {
        assert_eq!(after[field], before[field], "{field} changed");
    }
    let group = |v: &Value| {
        v["extension"].as_array().map(|a| {
            a.iter()
                .any(|e| e["url"].as_str().is_some_and(|u| u.ends_with("task-group")))
        })
    };
    assert_eq!(group(&after), Some(true));
    assert_eq!(
        after["note"].as_array().map(Vec::len),
        Some(1),
        "a note was duplicated: {}",
        after["note"]
    );
}

#[tokio::test]
async fn a_comment_is_added_once() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let id = client
        .create_task(&draft(&sb, "Refill request"))
        .await
        .expect("created");
    let task = common::act(
        &client,
        &id,
        common::comment("Pharmacy called back", &sb.clinic().requester),
    )
    .await
    .expect("commented");
    let texts: Vec<&str> = task.notes.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(texts, ["Please call before noon.", "Pharmacy called back"]);
    assert_eq!(task.labels.len(), 2, "labels were lost by the PUT");
    assert_eq!(
        task.notes.last().and_then(|n| n.author.clone()),
        Some(sb.clinic().requester.clone())
    );
    let err = common::act(&client, &id, common::comment("anonymous", " "))
        .await
        .expect_err("no author");
    assert!(matches!(err, CanvasError::Config(_)), "{err:?}");
    assert_eq!(
        client.read_task(&id).await.expect("read").notes.len(),
        2,
        "nothing sent without an author"
    );
}

#[tokio::test]
async fn search_pages_through_250_tasks() {
    let sb = sandbox().await;
    let ids = sb.insert_tasks(250, "requested");
    let client = client_for(&sb);
    sb.knobs().reset_request_count();
    let found = client
        .search_tasks(&TaskSearch::new().status(TaskStatus::Open))
        .await
        .expect("search");
    assert_eq!(found.len(), 250);
    let mut got: Vec<_> = found.iter().map(|t| t.id.clone()).collect();
    let mut want = ids.clone();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(sb.knobs().request_count(), 3, "100 + 100 + 50");

    // A smaller page size than the server's maximum is honoured too.
    let mut small = client.config().clone();
    small.page_size = 40;
    let small = CanvasClient::new(small).expect("client");
    let pages = small
        .search_pages(&TaskSearch::new(), |_| Ok(()))
        .await
        .expect("search");
    assert_eq!(pages, 7);
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_call_succeeds() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let id = client.create_task(&draft(&sb, "x")).await.expect("created");
    assert_eq!(sb.knobs().token_count(), 1);
    sb.knobs().expire_tokens();
    client.read_task(&id).await.expect("read after expiry");
    assert_eq!(sb.knobs().token_count(), 2);
    client.read_task(&id).await.expect("read again");
    assert_eq!(sb.knobs().token_count(), 2, "the renewed token is cached");
}

#[tokio::test]
async fn short_lived_tokens_are_renewed_before_they_lapse() {
    let sb = Sandbox::start(SandboxConfig {
        token_lifetime: Duration::from_secs(2),
        ..Default::default()
    })
    .await
    .expect("sandbox");
    let client = client_for(&sb);
    let id = client.create_task(&draft(&sb, "x")).await.expect("created");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    client.read_task(&id).await.expect("read");
    assert_eq!(sb.knobs().token_count(), 2);
}

#[tokio::test]
async fn wrong_credentials_say_so() {
    let sb = sandbox().await;
    let cfg = CanvasConfig::with_urls(
        "sandbox",
        &sb.fhir_base(),
        &sb.token_url(),
        "sandbox-client",
        "wrong",
    )
    .expect("cfg");
    let err = CanvasClient::new(cfg)
        .expect("client")
        .read_task("abc")
        .await
        .expect_err("refused");
    assert!(matches!(err, CanvasError::Auth(_)), "{err:?}");
    assert!(err.to_string().contains("client id or secret"), "{err}");
}

#[tokio::test]
async fn a_429_waits_for_retry_after() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let id = client.create_task(&draft(&sb, "x")).await.expect("created");
    sb.knobs().fail_with_429(1, 1);
    let started = Instant::now();
    client.read_task(&id).await.expect("read after 429");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retried after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_create_answered_429_is_sent_again_and_made_once() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    client.check_credentials().await.expect("token");
    sb.knobs().fail_with_429(2, 0);
    client.create_task(&draft(&sb, "x")).await.expect("created");
    assert_eq!(sb.task_count(), 1);
}

#[tokio::test]
async fn server_errors_then_success() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let id = client.create_task(&draft(&sb, "x")).await.expect("created");
    sb.knobs().fail_with_5xx(2, 502);
    sb.knobs().reset_request_count();
    client.read_task(&id).await.expect("read after two 502s");
    assert_eq!(sb.knobs().request_count(), 3);

    // Endless failures give up with the server's answer, not a hang.
    sb.knobs().fail_with_5xx(100, 500);
    let err = client.read_task(&id).await.expect_err("gives up");
    assert_eq!(err.status(), Some(500));
}

#[tokio::test]
async fn a_create_answered_500_is_not_sent_again() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    client.check_credentials().await.expect("token");
    sb.knobs().fail_with_5xx(1, 500);
    sb.knobs().reset_request_count();
    let err = client.create_task(&draft(&sb, "x")).await.expect_err("500");
    assert_eq!(err.status(), Some(500));
    assert_eq!(sb.knobs().request_count(), 1);
}

#[tokio::test]
async fn a_400_carries_the_servers_text() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let mut bad = draft(&sb, "");
    bad.requester = "no-such-practitioner".into();
    let err = client.create_task(&bad).await.expect_err("refused");
    match &err {
        CanvasError::Outcome { status, text, .. } => {
            assert!(*status == 400 || *status == 422, "{status}");
            assert!(
                !text.is_empty() && !text.contains("no explanation"),
                "{text}"
            );
        }
        other => panic!("expected an OperationOutcome error, got {other:?}"),
    }
    sb.knobs().set_modified_search_supported(false);
    let err = client
        .search_tasks(
            &TaskSearch::new().modified_after(parse_rfc3339("2020-01-01T00:00:00Z").expect("t")),
        )
        .await
        .expect_err("modified refused");
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("modified"), "{err}");
}

#[tokio::test]
async fn pickers_search_the_seeded_clinic() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let (_, name) = sb.clinic().patients[3].clone();
    let family = name
        .split_whitespace()
        .last()
        .expect("family name")
        .to_string();
    let patients = client.find_patients(&family).await.expect("patients").items;
    assert!(patients.iter().any(|p| p.name == name), "{patients:?}");
    assert!(patients
        .iter()
        .all(|p| p.name.to_lowercase().contains(&family.to_lowercase())));
    let staff = client.find_practitioners("").await.expect("practitioners");
    assert!(staff.items.len() >= 3 && !staff.truncated, "{staff:?}");
}

#[tokio::test]
async fn typing_first_and_last_name_finds_the_patient_and_inactive_ones_are_marked() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let found = client.find_patients("Avery Quill").await.expect("patients");
    let names: Vec<&str> = found.items.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Avery Quillfeather"]);
    assert!(found.items[0].active);
    let found = client
        .find_patients("  ellery   rowan ")
        .await
        .expect("patients");
    let names: Vec<&str> = found.items.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["Rowan Ellery", "Ellery Rowanson"],
        "either order of first and last"
    );
    let inactive = client
        .find_patients("Osric Fallowmere")
        .await
        .expect("patients");
    assert_eq!(inactive.items.len(), 1);
    assert!(
        !inactive.items[0].active,
        "an inactive chart is marked: {inactive:?}"
    );
}

#[tokio::test]
async fn the_staff_picker_finds_a_non_schedulable_care_coordinator() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let found = client
        .find_practitioners("Rooke")
        .await
        .expect("practitioners");
    let names: Vec<&str> = found.items.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Tamsin Rooke"]);
    let everyone = client.find_practitioners("").await.expect("practitioners");
    assert_eq!(
        everyone.items.len(),
        7,
        "active staff, schedulable or not: {everyone:?}"
    );
    assert!(
        !everyone.items.iter().any(|p| p.name == "Vesna Oldcastle"),
        "no inactive staff"
    );
}

#[tokio::test]
async fn the_team_picker_lists_all_25_teams_and_says_when_it_stopped_short() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    sb.knobs().reset_request_count();
    let teams = client.find_teams("").await.expect("teams");
    assert_eq!((teams.items.len(), teams.truncated), (25, false));
    assert_eq!(sb.knobs().request_count(), 2, "two pages of 20");
    let mut want: Vec<String> = sb.clinic().teams.into_iter().map(|(_, n)| n).collect();
    let mut got: Vec<String> = teams.items.into_iter().map(|t| t.name).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
    let billing = client.find_teams("billing").await.expect("teams");
    assert_eq!(
        billing
            .items
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["Billing"]
    );

    let mut small = client.config().clone();
    small.page_size = 3;
    let small = CanvasClient::new(small).expect("client");
    let cut = small.find_teams("").await.expect("teams");
    assert_eq!(
        (cut.items.len(), cut.truncated),
        (15, true),
        "five pages of three, then a flag"
    );
}

#[tokio::test]
async fn calls_time_out_instead_of_hanging() {
    let sb = sandbox().await;
    let mut cfg = client_for(&sb).config().clone();
    cfg.request_timeout = Duration::from_millis(300);
    cfg.call_timeout = Duration::from_secs(2);
    let client = CanvasClient::new(cfg).expect("client");
    client.check_credentials().await.expect("token");
    sb.knobs().set_latency(Duration::from_secs(5));
    let started = Instant::now();
    let err = client.read_task("abc").await.expect_err("timed out");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(err, CanvasError::Ambiguous { .. }), "{err:?}");
}

#[tokio::test]
async fn an_unreachable_server_is_reported_as_such() {
    // Bind then drop a listener to get a port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut cfg =
        CanvasConfig::with_urls("x", &base, &format!("{base}/auth/token/"), "i", "s").expect("cfg");
    cfg.backoff_base = Duration::from_millis(10);
    cfg.backoff_cap = Duration::from_millis(20);
    let err = CanvasClient::new(cfg)
        .expect("client")
        .read_task("abc")
        .await
        .expect_err("unreachable");
    assert!(matches!(err, CanvasError::Unreachable { .. }), "{err:?}");
    assert!(err.is_transient());
}

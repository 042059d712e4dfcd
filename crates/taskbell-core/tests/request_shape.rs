//! Every body the client sends has the shape of Canvas's documented request examples
//! (canvas-sandbox/fixtures/task-{create,update}-request.json, verbatim from the docs): the same
//! keys at every level, nothing the docs mark read-only, no empty array.

mod common;

use canvas_sandbox::Sandbox;
use common::{client_for, sandbox};
use serde_json::Value;
use std::collections::BTreeSet;
use taskbell_core::canvas::{TaskAction, TaskDraft};
use taskbell_core::time_util::parse_rfc3339;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../canvas-sandbox/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `/note/[]/authorReference/reference`-style paths of every key, arrays as `[]`.
fn paths(v: &Value) -> BTreeSet<String> {
    fn walk(v: &Value, at: &str, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    let here = format!("{at}/{k}");
                    out.insert(here.clone());
                    walk(v, &here, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, &format!("{at}/[]"), out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(v, "", &mut out);
    out
}

fn empty_arrays(v: &Value) -> usize {
    match v {
        Value::Array(a) if a.is_empty() => 1,
        Value::Array(a) => a.iter().map(empty_arrays).sum(),
        Value::Object(m) => m.values().map(empty_arrays).sum(),
        _ => 0,
    }
}

fn with(mut set: BTreeSet<String>, add: &[&str], remove: &[&str]) -> BTreeSet<String> {
    set.extend(add.iter().map(|s| s.to_string()));
    set.retain(|p| {
        !remove
            .iter()
            .any(|r| p == r || p.starts_with(&format!("{r}/")))
    });
    set
}

fn full_draft(sb: &Sandbox) -> TaskDraft {
    let clinic = sb.clinic();
    TaskDraft {
        description: "Ask patient for new insurance information.".into(),
        requester: clinic.requester.clone(),
        patient: Some(clinic.patients[0].0.clone()),
        owner: Some(clinic.practitioners[1].0.clone()),
        team: Some(clinic.teams[0].0.clone()),
        due: parse_rfc3339("2030-09-23T14:00:00Z"),
        labels: vec!["Urgent".into()],
        comment: Some("Please call patient to update insurance information.".into()),
        authored_on: parse_rfc3339("2030-09-22T14:00:00Z"),
        names: Default::default(),
    }
}

#[tokio::test]
async fn create_status_and_comment_bodies_have_the_documented_keys() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    let id = client.create_task(&full_draft(&sb)).await.expect("created");
    common::act(&client, &id, TaskAction::Complete)
        .await
        .expect("completed");
    common::act(
        &client,
        &id,
        common::comment("Called, left a message.", &sb.clinic().requester),
    )
    .await
    .expect("commented");

    let writes = sb.knobs().task_writes();
    let methods: Vec<&str> = writes.iter().map(|(m, _)| *m).collect();
    assert_eq!(methods, ["POST", "PUT", "PUT"]);
    for (_, body) in &writes {
        assert_eq!(empty_arrays(body), 0, "an empty array in {body}");
    }
    let create = paths(&fixture("task-create-request.json"));
    let update = paths(&fixture("task-update-request.json"));
    assert_eq!(paths(&writes[0].1), create, "create body: {}", writes[0].1);
    // A status change sends no note (Canvas would append it); the docs require `id` in an update.
    assert_eq!(
        paths(&writes[1].1),
        with(update.clone(), &["/id"], &["/note"]),
        "status body: {}",
        writes[1].1
    );
    // A comment's time defaults to when Canvas receives it.
    assert_eq!(
        paths(&writes[2].1),
        with(update, &["/id"], &["/note/[]/time"]),
        "comment body: {}",
        writes[2].1
    );
}

#[test]
fn the_comparison_sees_a_read_only_key() {
    let documented = fixture("task-update-request.json");
    let mut typed = documented.clone();
    typed["owner"]["type"] = Value::from("Practitioner");
    assert_ne!(paths(&typed), paths(&documented));
    let mut empty = documented;
    empty["input"] = Value::Array(Vec::new());
    assert_eq!(empty_arrays(&empty), 1);
}

/// customer-authentication.md's client-credentials request (fixtures/token-request.sh): the
/// same form fields in a form-encoded body, with this client's id and secret.
#[tokio::test]
async fn the_token_request_has_the_documented_fields() {
    let sb = sandbox().await;
    let client = client_for(&sb);
    client.check_credentials().await.expect("token");
    let path = format!(
        "{}/../canvas-sandbox/fixtures/token-request.sh",
        env!("CARGO_MANIFEST_DIR")
    );
    let curl = std::fs::read_to_string(&path).expect(&path);
    assert!(
        curl.contains("Content-Type: application/x-www-form-urlencoded"),
        "{curl}"
    );
    let documented: Vec<(String, String)> = curl
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--data-urlencode '"))
        .filter_map(|l| l.trim_end_matches(['\\', ' ', '\'']).split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let requests = sb.knobs().token_requests();
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(
        sent.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    let names = |f: &[(String, String)]| f.iter().map(|(k, _)| k.clone()).collect::<BTreeSet<_>>();
    assert_eq!(
        names(&sent.fields),
        names(&documented),
        "sent {:?}",
        sent.fields
    );
    let config = sb.config();
    let expected = |k: &str, v: &str| {
        let v = v.replace("{YOUR_CLIENT_ID}", &config.client_id);
        (
            k.to_string(),
            v.replace("{YOUR_CLIENT_SECRET}", &config.client_secret),
        )
    };
    for (k, v) in &documented {
        assert!(
            sent.fields.contains(&expected(k, v)),
            "{k}: sent {:?}",
            sent.fields
        );
    }
}

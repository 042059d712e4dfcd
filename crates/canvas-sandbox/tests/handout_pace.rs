//! The handout at a pace: simulated staff hand the sandbox's user and team work on their own,
//! in rotation, only while the pace (config or knob) is on.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use canvas_sandbox::SandboxConfig;
use common::{team_of, Api};
use serde_json::Value;

fn paced(pace: Duration) -> SandboxConfig {
    SandboxConfig {
        handout: Some(pace),
        ..Default::default()
    }
}

/// Every task, as a search reads them.
async fn all_tasks(api: &Api) -> Vec<Value> {
    let (status, bundle) = api.get_json("/Task?_count=100").await;
    assert!(status.is_success(), "{bundle}");
    bundle["entry"]
        .as_array()
        .map(|entries| entries.iter().map(|e| e["resource"].clone()).collect())
        .unwrap_or_default()
}

/// Each task's id and `lastModified`: changes when anything is created or changed.
async fn fingerprint(api: &Api) -> BTreeMap<String, String> {
    all_tasks(api)
        .await
        .iter()
        .map(|t| (t["id"].to_string(), t["lastModified"].to_string()))
        .collect()
}

/// The first task `found` picks out, polling for up to five seconds.
async fn wait_for(api: &Api, found: impl Fn(&[Value]) -> Option<Value>) -> Value {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Some(task) = found(&all_tasks(api).await) {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing handed out in time: {:#?}", all_tasks(api).await);
}

#[tokio::test]
async fn at_a_pace_the_user_gets_a_task_then_the_team_does() {
    let api = Api::with(paced(Duration::from_millis(200))).await;
    let clinic = api.sb.clinic();
    let user = clinic.requester.clone();
    let query = format!("/Task?owner=Practitioner/{user}&status=requested");
    let deadline = Instant::now() + Duration::from_secs(5);
    let mine = loop {
        let (_, bundle) = api.get_json(&query).await;
        let ids = common::ids(&bundle);
        if let Some(id) = ids.first() {
            break id.clone();
        }
        assert!(Instant::now() < deadline, "no task assigned to the user");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let task = api.task(&mine).await;
    assert_ne!(
        task["requester"]["reference"],
        format!("Practitioner/{user}")
    );

    let team = format!(
        "Group/{}",
        clinic.requester_team.expect("the user has a team")
    );
    let queued = wait_for(&api, |tasks| {
        tasks.iter().find(|t| team_of(t) == Some(&team)).cloned()
    })
    .await;
    assert!(queued.get("owner").is_none(), "{queued}");
    assert_eq!(queued["status"], "requested");
}

#[tokio::test]
async fn at_a_pace_the_rotation_reaches_comments_and_reassignments() {
    let api = Api::with(paced(Duration::from_millis(150))).await;
    let user = format!("Practitioner/{}", api.sb.clinic().requester);
    let commented = wait_for(&api, |tasks| {
        tasks.iter().find(|t| t["note"].is_array()).cloned()
    })
    .await;
    assert_ne!(
        commented["note"][0]["authorReference"]["reference"], user,
        "a colleague comments"
    );
    // Only the user's tasks are ever handed to a colleague at first, so a task a colleague
    // owns was reassigned.
    let moved = wait_for(&api, |tasks| {
        tasks
            .iter()
            .find(|t| t["owner"]["reference"].is_string() && t["owner"]["reference"] != user)
            .cloned()
    })
    .await;
    assert_eq!(moved["status"], "requested");
}

#[tokio::test]
async fn nothing_is_handed_out_while_the_pace_is_off() {
    let api = Api::new().await;
    assert_eq!(api.sb.knobs().handout(), None);
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(api.sb.task_count(), 0);

    let zero = Api::with(paced(Duration::ZERO)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(zero.sb.task_count(), 0, "a zero pace is off too");
}

#[tokio::test]
async fn the_knob_turns_the_handout_on_and_off_at_runtime() {
    let api = Api::new().await;
    api.sb.knobs().set_handout(Some(Duration::from_millis(150)));
    wait_for(&api, |tasks| tasks.first().cloned()).await;

    api.sb.knobs().set_handout(None);
    // A turn already under way when the knob moved may still finish.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = fingerprint(&api).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(fingerprint(&api).await, before, "off means off");

    api.sb.knobs().set_handout(Some(Duration::from_millis(150)));
    let again = before.len();
    wait_for(&api, |tasks| (tasks.len() > again).then_some(Value::Null)).await;
}

#[tokio::test]
async fn a_new_pace_applies_at_once() {
    let api = Api::with(paced(Duration::from_secs(3600))).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    api.sb.knobs().set_handout(Some(Duration::from_millis(100)));
    wait_for(&api, |tasks| tasks.first().cloned()).await;
}

//! Each handout step on demand: what simulated staff hand the sandbox's user, read back over
//! FHIR and off the plugin socket, in the shapes the API's own tasks, notes and pushes have.

mod common;

use canvas_sandbox::{Handout, SandboxConfig};
use common::shape::assert_same_shape;
use common::ws::{connect, next_json};
use common::{team_of, Api};
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

fn at(value: &Value) -> OffsetDateTime {
    OffsetDateTime::parse(value.as_str().expect("a time"), &Rfc3339).expect("RFC 3339")
}

fn practitioner(id: &str) -> Value {
    json!(format!("Practitioner/{id}"))
}

/// Anyone on the staff but the user.
fn colleague(api: &Api) -> String {
    let clinic = api.sb.clinic();
    clinic
        .practitioners
        .iter()
        .map(|(id, _)| id.clone())
        .find(|id| *id != clinic.requester)
        .expect("a colleague")
}

/// An open task the user asked `owner` to do, through the API.
async fn api_task_for(api: &Api, owner: &str) -> String {
    let mut body = api.body("Please call the pharmacy");
    body["owner"] = json!({"reference": format!("Practitioner/{owner}")});
    api.create(&body).await
}

#[tokio::test]
async fn assign_to_user_makes_a_task_like_the_api_does() {
    let api = Api::new().await;
    let clinic = api.sb.clinic();
    let id = api.sb.hand_out(Handout::AssignToUser).expect("a task");
    let handed = api.task(&id).await;
    assert_eq!(handed["status"], "requested");
    assert_eq!(
        handed["owner"]["reference"],
        practitioner(&clinic.requester)
    );
    let requester = handed["requester"]["reference"].as_str().unwrap();
    assert_ne!(
        requester,
        practitioner(&clinic.requester),
        "someone else asks"
    );
    assert!(clinic
        .practitioners
        .iter()
        .any(|(p, _)| format!("Practitioner/{p}") == requester));
    let patient = handed["for"]["reference"].as_str().unwrap();
    assert!(clinic
        .patients
        .iter()
        .any(|(p, _)| format!("Patient/{p}") == patient));
    assert!(!handed["description"].as_str().unwrap().is_empty());
    assert_eq!(handed["input"][0]["type"]["text"], "label");
    assert!(team_of(&handed).is_none());
    let due_in = at(&handed["restriction"]["period"]["end"]) - at(&handed["lastModified"]);
    assert!(
        (60..=61).contains(&due_in.whole_minutes()),
        "due in about 61 minutes: {due_in}"
    );

    let mut body = api.body("Call back");
    body["owner"] = json!({"reference": format!("Practitioner/{}", clinic.requester)});
    body["for"] = json!({"reference": format!("Patient/{}", clinic.patients[0].0)});
    body["restriction"] = json!({"period": {"end": "2024-05-01T12:00:00+00:00"}});
    body["input"] = json!([{"type": {"text": "label"}, "valueString": "Urgent"}]);
    let from_api = api.task(&api.create(&body).await).await;
    assert_same_shape(&from_api, &handed);
}

#[tokio::test]
async fn to_team_leaves_a_task_in_the_users_team_queue() {
    let api = Api::new().await;
    let team = api.sb.clinic().requester_team.expect("the user has a team");
    let id = api.sb.hand_out(Handout::ToTeam).expect("a task");
    let handed = api.task(&id).await;
    assert_eq!(handed["status"], "requested");
    assert_eq!(team_of(&handed), Some(format!("Group/{team}").as_str()));
    assert!(handed.get("owner").is_none(), "{handed}");
    let due_in = at(&handed["restriction"]["period"]["end"]) - at(&handed["lastModified"]);
    assert!(
        (1439..=1440).contains(&due_in.whole_minutes()),
        "due in a day: {due_in}"
    );
}

#[tokio::test]
async fn a_comment_adds_exactly_one_note_by_the_colleague_on_the_task() {
    let api = Api::new().await;
    let other = colleague(&api);
    let id = api_task_for(&api, &other).await;
    let before = api.task(&id).await;

    assert_eq!(api.sb.hand_out(Handout::Comment), Some(id.clone()));
    let after = api.task(&id).await;
    let notes = after["note"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{after}");
    assert_eq!(
        notes[0]["authorReference"]["reference"],
        practitioner(&other)
    );
    assert!(!notes[0]["text"].as_str().unwrap().is_empty());
    assert!(at(&after["lastModified"]) > at(&before["lastModified"]));
    assert_eq!(
        after["owner"], before["owner"],
        "a comment changes nothing else"
    );

    let mut body = api.body("With a note");
    body["note"] = json!([common::note(&api.sb, "Called back")]);
    let from_api = api.task(&api.create(&body).await).await;
    assert_same_shape(&from_api["note"][0], &notes[0]);
}

#[tokio::test]
async fn reassignments_alternate_toward_the_user_and_away() {
    let api = Api::new().await;
    let user = api.sb.clinic().requester;
    let other = colleague(&api);
    let id = api_task_for(&api, &other).await;
    let first = api.task(&id).await;

    assert_eq!(api.sb.hand_out(Handout::Reassign), Some(id.clone()));
    let second = api.task(&id).await;
    assert_eq!(second["owner"]["reference"], practitioner(&user));
    assert!(at(&second["lastModified"]) > at(&first["lastModified"]));

    assert_eq!(api.sb.hand_out(Handout::Reassign), Some(id.clone()));
    let third = api.task(&id).await;
    let owner = third["owner"]["reference"].as_str().expect("an owner");
    assert_ne!(owner, practitioner(&user), "moved to a colleague");
    assert!(at(&third["lastModified"]) > at(&second["lastModified"]));
    assert!(third.get("note").is_none());
}

#[tokio::test]
async fn steps_with_nothing_to_act_on_hand_out_nothing() {
    let api = Api::new().await;
    assert_eq!(api.sb.hand_out(Handout::Comment), None);
    assert_eq!(api.sb.hand_out(Handout::Reassign), None);
    let done = api_task_for(&api, &colleague(&api)).await;
    assert!(api.sb.set_task_status(&done, "completed"));
    let before = api.task(&done).await;
    assert_eq!(api.sb.hand_out(Handout::Comment), None, "finished work");
    assert_eq!(api.sb.hand_out(Handout::Reassign), None, "finished work");
    assert_eq!(api.task(&done).await, before);
    assert_eq!(api.sb.task_count(), 1);

    // One practitioner, no patients, no teams: nobody to hand anything over.
    let empty = Api::with(SandboxConfig {
        seed_clinic: false,
        ..Default::default()
    })
    .await;
    assert_eq!(empty.sb.hand_out(Handout::AssignToUser), None);
    assert_eq!(empty.sb.hand_out(Handout::ToTeam), None);
    assert_eq!(empty.sb.task_count(), 0);
}

#[tokio::test]
async fn handed_out_changes_are_pushed_like_api_changes() {
    let api = Api::new().await;
    let user = api.sb.clinic().requester;
    let mut ws = connect(&api.sb).await;

    let id = api.sb.hand_out(Handout::AssignToUser).expect("a task");
    let created = next_json(&mut ws).await;
    let task = api.task(&id).await;
    assert_eq!(created["event"], "created");
    assert_eq!(created["task"]["id"], id.as_str());
    assert_eq!(created["task"]["modified"], task["lastModified"]);
    assert_eq!(created["assignee"]["staff"]["id"], user.as_str());
    let requester = task["requester"]["reference"].as_str().unwrap();
    assert_eq!(
        format!(
            "Practitioner/{}",
            created["creator"]["id"].as_str().unwrap()
        ),
        requester
    );

    assert_eq!(api.sb.hand_out(Handout::Comment), Some(id.clone()));
    let commented = next_json(&mut ws).await;
    assert_eq!(commented["event"], "commented");
    assert!(commented["comment"]["id"].is_string(), "{commented}");
    let author = api.task(&id).await["note"][0]["authorReference"]["reference"].clone();
    assert_eq!(
        practitioner(commented["actor"]["id"].as_str().unwrap()),
        author
    );

    // Nobody else owns an open task, so this one moves away from the user.
    assert_eq!(api.sb.hand_out(Handout::Reassign), Some(id.clone()));
    let updated = next_json(&mut ws).await;
    assert_eq!(updated["event"], "updated");
    assert_ne!(updated["assignee"]["staff"]["id"], user.as_str());
    assert_eq!(
        updated["task"]["modified"],
        api.task(&id).await["lastModified"]
    );

    let mut body = api.body("Call back");
    body["owner"] = json!({"reference": format!("Practitioner/{user}")});
    body["restriction"] = json!({"period": {"end": "2024-05-01T12:00:00+00:00"}});
    body["input"] = json!([{"type": {"text": "label"}, "valueString": "Urgent"}]);
    api.create(&body).await;
    assert_same_shape(&next_json(&mut ws).await, &created);
}

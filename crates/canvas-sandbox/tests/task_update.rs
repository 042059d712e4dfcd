//! PUT as Canvas does it: a full replace that deletes omitted fields except the task-group
//! extension and `authoredOn`, appends every note it carries, and honours
//! `If-Unmodified-Since`.

mod common;

use common::{outcome, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};

const GROUP_EXT: &str = "http://schemas.canvasmedical.com/fhir/extensions/task-group";

async fn rich_task(api: &Api) -> String {
    let clinic = api.sb.clinic();
    let mut body = api.body("Original");
    body["owner"] = json!({"reference": format!("Practitioner/{}", clinic.practitioners[1].0)});
    body["for"] = json!({"reference": format!("Patient/{}", clinic.patients[0].0)});
    body["authoredOn"] = json!("2024-02-01T09:00:00+00:00");
    body["restriction"] = json!({"period": {"end": "2024-02-03T09:00:00+00:00"}});
    body["input"] = json!([{"type": {"text": "label"}, "valueString": "Urgent"}]);
    body["note"] = json!([common::note(&api.sb, "first")]);
    body["extension"] = json!([{"url": GROUP_EXT, "valueReference": {"reference": format!("Group/{}", clinic.teams[1].0)}}]);
    api.create(&body).await
}

#[tokio::test]
async fn put_deletes_omitted_fields_but_keeps_group_and_authored_on() {
    let api = Api::new().await;
    let id = rich_task(&api).await;
    let minimal = json!({
        "resourceType": "Task", "id": id, "status": "requested", "intent": "unknown",
        "requester": {"reference": format!("Practitioner/{}", api.sb.clinic().requester)},
    });
    let response = api.put(&id, &minimal).await;
    assert_eq!(response.status(), StatusCode::OK);
    let task = api.task(&id).await;
    for gone in ["description", "owner", "restriction", "input", "for"] {
        assert!(task.get(gone).is_none(), "{gone} should be deleted: {task}");
    }
    assert_eq!(task["authoredOn"], "2024-02-01T09:00:00+00:00");
    let group = task["extension"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["url"] == GROUP_EXT);
    assert!(group.is_some(), "task-group kept: {task}");
    assert_eq!(task["note"].as_array().unwrap().len(), 1, "old notes stay");
    let mut no_requester = minimal.clone();
    no_requester.as_object_mut().unwrap().remove("requester");
    let (status, _, text) = outcome(api.put(&id, &no_requester).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(text.contains("requester"), "{text}");
}

#[tokio::test]
async fn every_note_in_a_put_is_appended_without_dedup() {
    let api = Api::new().await;
    let id = rich_task(&api).await;
    let mut task = api.task(&id).await;
    // Sending the notes back, as a naive client would, duplicates them.
    task["note"]
        .as_array_mut()
        .unwrap()
        .push(common::note(&api.sb, "second"));
    assert_eq!(api.put(&id, &task).await.status(), StatusCode::OK);
    let notes: Vec<String> = api.task(&id).await["note"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(notes, ["first", "first", "second"]);
}

#[tokio::test]
async fn read_modify_put_round_trips() {
    let api = Api::new().await;
    let id = rich_task(&api).await;
    let mut task = api.task(&id).await;
    task.as_object_mut().unwrap().remove("note");
    task["status"] = json!("completed");
    assert_eq!(api.put(&id, &task).await.status(), StatusCode::OK);
    let after = api.task(&id).await;
    assert_eq!(after["status"], "completed");
    for kept in ["description", "owner", "restriction", "input", "authoredOn"] {
        assert_eq!(after[kept], task[kept], "{kept}");
    }
}

#[tokio::test]
async fn read_only_attributes_are_refused_by_name() {
    let api = Api::new().await;
    let id = rich_task(&api).await;
    let read = api.task(&id).await;
    let writable = common::writable(&read);
    type Spoil = fn(&mut Value);
    let cases: [(&str, Spoil); 6] = [
        ("Task.lastModified", |t| {
            t["lastModified"] = json!("2024-01-01T00:00:00.000001+00:00")
        }),
        ("Task.for.type", |t| {
            t["for"] = json!({"reference": "Patient/x", "type": "Patient"})
        }),
        ("Task.owner.type", |t| {
            t["owner"]["type"] = json!("Practitioner")
        }),
        ("Task.requester.type", |t| {
            t["requester"]["type"] = json!("Practitioner")
        }),
        ("valueReference.display", |t| {
            t["extension"][0]["valueReference"]["display"] = json!("Team")
        }),
        ("task-permalink", |t| {
            t["extension"].as_array_mut().unwrap().push(json!({"url": "http://schemas.canvasmedical.com/fhir/extensions/task-permalink", "valueString": "http://x"}))
        }),
    ];
    for (field, spoil) in cases {
        let mut body = writable.clone();
        spoil(&mut body);
        let (status, code, text) = outcome(api.put_raw(&id, &body).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid"),
            "{field}"
        );
        assert!(text.contains(field), "{field}: {text}");
        let mut create = body.clone();
        create.as_object_mut().unwrap().remove("id");
        assert_eq!(
            api.post("/Task", &create).await.status(),
            StatusCode::BAD_REQUEST,
            "{field} on create"
        );
    }
    assert_eq!(
        api.put_raw(&id, &read).await.status(),
        StatusCode::BAD_REQUEST,
        "a read task as is"
    );
    assert_eq!(api.put_raw(&id, &writable).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn put_checks_its_body() {
    let api = Api::new().await;
    let id = api.create(&api.body("x")).await;
    let mut wrong_id = api.body("x");
    wrong_id["id"] = json!("someone-else");
    assert_eq!(outcome(api.put(&id, &wrong_id).await).await.1, "invalid");
    let mut bad_owner = api.body("x");
    bad_owner["owner"] = json!({"reference": "Practitioner/ghost"});
    assert_eq!(
        outcome(api.put(&id, &bad_owner).await).await.1,
        "business-rule"
    );
}

async fn put_if_unmodified(api: &Api, id: &str, body: &Value, since: &str) -> reqwest::Response {
    api.http
        .put(api.url(&format!("/Task/{id}")))
        .bearer_auth(&api.token)
        .header("if-unmodified-since", since)
        .json(&common::writable(body))
        .send()
        .await
        .unwrap()
}

/// The task and the `If-Unmodified-Since` a client derives from it: its `lastModified`
/// rounded up to a whole second (Canvas sends no `Last-Modified` header).
async fn last_modified(api: &Api, id: &str) -> (String, Value) {
    let response = api.get(&format!("/Task/{id}")).await;
    assert!(
        response.headers().get("last-modified").is_none(),
        "Canvas documents no Last-Modified"
    );
    let task: Value = response.json().await.unwrap();
    let t = common::assert_canvas_micros(&task["lastModified"]);
    let secs = t.unix_timestamp() + i64::from(t.nanosecond() > 0);
    let date = httpdate::fmt_http_date(
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs as u64),
    );
    (date, task)
}

/// Sleeps until the sandbox clock is past the whole second after `task`'s `lastModified`.
async fn past_its_second(task: &Value) {
    let t = common::assert_canvas_micros(&task["lastModified"]);
    let boundary = t.replace_nanosecond(0).unwrap() + time::Duration::seconds(1);
    let wait = boundary - time::OffsetDateTime::now_utc() + time::Duration::milliseconds(5);
    if wait.is_positive() {
        tokio::time::sleep(wait.unsigned_abs()).await;
    }
}

#[tokio::test]
async fn if_unmodified_since_passes_right_after_a_read() {
    let api = Api::new().await;
    let id = api.create(&api.body("x")).await;
    let (date, mut task) = last_modified(&api, &id).await;
    task["description"] = json!("changed at once");
    let response = put_if_unmodified(&api, &id, &task, &date).await;
    assert_eq!(response.status(), StatusCode::OK);
    // And again with the date read after the PUT.
    let (next_date, mut task) = last_modified(&api, &id).await;
    task["description"] = json!("changed twice");
    assert_eq!(
        put_if_unmodified(&api, &id, &task, &next_date)
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn if_unmodified_since_fails_after_a_change_past_its_second() {
    let api = Api::new().await;
    let id = api.create(&api.body("x")).await;
    let (date, mut task) = last_modified(&api, &id).await;
    past_its_second(&task).await;
    assert!(api.sb.set_task_status(&id, "completed"));
    task["description"] = json!("stale write");
    let (status, code, text) = outcome(put_if_unmodified(&api, &id, &task, &date).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PRECONDITION_FAILED, "conflict")
    );
    assert_eq!(text, "Resource updated since If-Unmodified-Since date");
    assert_eq!(api.task(&id).await["description"], "x");

    // A PUT from another client does the same.
    let (date, task) = last_modified(&api, &id).await;
    past_its_second(&task).await;
    let mut other = task.clone();
    other["description"] = json!("other client");
    assert_eq!(api.put(&id, &other).await.status(), StatusCode::OK);
    let (status, _, _) = outcome(put_if_unmodified(&api, &id, &task, &date).await).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);

    let bad_date = put_if_unmodified(&api, &id, &task, "yesterday").await;
    assert_eq!(outcome(bad_date).await.1, "invalid");
}

#[tokio::test]
async fn version_headers_only_on_request() {
    let api = Api::new().await;
    let id = api.create(&api.body("x")).await;
    api.sb.knobs().set_version_headers(true);
    let response = api.get(&format!("/Task/{id}")).await;
    assert!(response.headers().contains_key("last-modified"));
    assert!(response.headers().contains_key("etag"));
}

#[tokio::test]
async fn the_change_knob_lands_between_a_read_and_the_next_put() {
    let api = Api::new().await;
    let id = api.create(&api.body("x")).await;
    let (date, mut task) = last_modified(&api, &id).await;
    assert!(api.sb.knobs().change_before_next_put("completed"));
    task["description"] = json!("late");
    let (status, _, _) = outcome(put_if_unmodified(&api, &id, &task, &date).await).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let after = api.task(&id).await;
    assert_eq!(
        (after["status"].as_str(), after["description"].as_str()),
        (Some("completed"), Some("x"))
    );
}

#[tokio::test]
async fn a_put_that_changes_nothing_does_not_move_modified() {
    let api = Api::new().await;
    let id = api.create(&api.body("x")).await;
    let (date, task) = last_modified(&api, &id).await;
    assert_eq!(
        put_if_unmodified(&api, &id, &task, &date).await.status(),
        StatusCode::OK
    );
    let (after, after_task) = last_modified(&api, &id).await;
    assert_eq!(date, after);
    assert!(after_task["lastModified"].is_string());
    assert_eq!(task["lastModified"], after_task["lastModified"]);
}

#[tokio::test]
async fn a_note_without_its_author_is_refused() {
    let api = Api::new().await;
    let id = rich_task(&api).await;
    let mut task = api.task(&id).await;
    task["note"] = json!([{"text": "who wrote this?"}]);
    let (status, code, text) = outcome(api.put(&id, &task).await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid")
    );
    assert!(text.contains("authorReference"), "{text}");
    let mut create = api.body("x");
    create["note"] = json!([{"text": "nobody's"}]);
    assert_eq!(
        outcome(api.post("/Task", &create).await).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        api.task(&id).await["note"].as_array().unwrap().len(),
        1,
        "nothing was added"
    );
}

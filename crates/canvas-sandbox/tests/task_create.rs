//! Creating and reading tasks: 201 with an empty body and the id only in `Location`,
//! validation answers, the stored shape, and the permalink page.

mod common;

use common::{outcome, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};

const GROUP_EXT: &str = "http://schemas.canvasmedical.com/fhir/extensions/task-group";
const PERMALINK_EXT: &str = "http://schemas.canvasmedical.com/fhir/extensions/task-permalink";

fn extension<'a>(task: &'a Value, url: &str) -> Option<&'a Value> {
    task["extension"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["url"] == url)
}

fn full_body(api: &Api) -> Value {
    let clinic = api.sb.clinic();
    json!({
        "resourceType": "Task",
        "status": "requested",
        "intent": "unknown",
        "description": "Call patient about lab results",
        "for": {"reference": format!("Patient/{}", clinic.patients[0].0)},
        "requester": {"reference": format!("Practitioner/{}", clinic.requester)},
        "owner": {"reference": format!("Practitioner/{}", clinic.practitioners[1].0)},
        "authoredOn": "2024-01-12T15:00:00+00:00",
        "restriction": {"period": {"end": "2024-01-15T10:00:00+00:00"}},
        "note": [{"text": "Results are in.", "authorReference": {"reference": format!("Practitioner/{}", clinic.requester)}}],
        "input": [{"type": {"text": "label"}, "valueString": "Urgent"}],
        "extension": [{"url": GROUP_EXT, "valueReference": {"reference": format!("Group/{}", clinic.teams[0].0)}}],
    })
}

#[tokio::test]
async fn create_answers_201_with_a_history_location_and_a_null_body() {
    let api = Api::new().await;
    let response = api.post("/Task", &api.body("Hello")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let prefix = format!("{}/Task/", api.sb.fhir_base());
    assert!(location.starts_with(&prefix), "{location}");
    let id = location
        .trim_start_matches(&prefix)
        .trim_end_matches("/_history/1")
        .to_owned();
    assert!(location.ends_with("/_history/1"), "{location}");
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(response.text().await.unwrap(), "null");
    assert_eq!(api.sb.task_count(), 1);
    assert!(api.sb.task_json(&id).is_some());

    let update = api.put(&id, &api.task(&id).await).await;
    assert_eq!(update.status(), StatusCode::OK);
    assert_eq!(
        update.text().await.unwrap(),
        "null",
        "an update answers null too"
    );
}

#[tokio::test]
async fn read_returns_every_field_with_both_extensions() {
    let api = Api::new().await;
    let clinic = api.sb.clinic();
    let id = api.create(&full_body(&api)).await;
    let response = api.get(&format!("/Task/{id}")).await;
    assert!(
        !response.headers().contains_key("last-modified"),
        "Canvas documents no Last-Modified"
    );
    assert!(!response.headers().contains_key("etag"));
    let task: Value = response.json().await.unwrap();
    assert_eq!(task["resourceType"], "Task");
    assert_eq!(task["status"], "requested");
    assert_eq!(task["intent"], "unknown");
    assert_eq!(task["description"], "Call patient about lab results");
    assert_eq!(
        task["for"]["reference"],
        format!("Patient/{}", clinic.patients[0].0)
    );
    assert_eq!(
        task["owner"]["reference"],
        format!("Practitioner/{}", clinic.practitioners[1].0)
    );
    assert_eq!(task["authoredOn"], "2024-01-12T15:00:00+00:00");
    assert_eq!(
        task["restriction"]["period"]["end"],
        "2024-01-15T10:00:00+00:00"
    );
    assert_eq!(task["note"][0]["text"], "Results are in.");
    assert_eq!(
        task["input"][0],
        json!({"type": {"text": "label"}, "valueString": "Urgent"})
    );
    let group = extension(&task, GROUP_EXT).unwrap();
    assert_eq!(
        group["valueReference"]["reference"],
        format!("Group/{}", clinic.teams[0].0)
    );
    assert_eq!(
        group["valueReference"]["display"],
        clinic.teams[0].1.as_str()
    );
    let permalink = extension(&task, PERMALINK_EXT).unwrap()["valueString"]
        .as_str()
        .unwrap();
    assert!(permalink.starts_with(&format!("{}/permalinks/v1/", api.sb.base_url())));
    common::assert_canvas_micros(&task["lastModified"]);
    assert!(
        task.get("meta").is_none(),
        "Canvas's Task has no meta: {task}"
    );
    assert_eq!(api.sb.task_json(&id).unwrap(), task);
}

#[tokio::test]
async fn authored_on_defaults_to_now_and_permalink_is_always_there() {
    let api = Api::new().await;
    let id = api.create(&api.body("Plain")).await;
    let task = api.task(&id).await;
    let authored = time::OffsetDateTime::parse(
        task["authoredOn"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(
        (time::OffsetDateTime::now_utc() - authored)
            .whole_seconds()
            .abs()
            < 5
    );
    assert!(extension(&task, PERMALINK_EXT).is_some());
    assert!(extension(&task, GROUP_EXT).is_none());
}

#[tokio::test]
async fn permalink_page_shows_the_task() {
    let api = Api::new().await;
    let id = api.create(&api.body("Fax the <referral>")).await;
    let task = api.task(&id).await;
    let permalink = extension(&task, PERMALINK_EXT).unwrap()["valueString"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = api.http.get(&permalink).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Fax the &lt;referral&gt;"), "{html}");
    assert!(html.contains(">open<"), "{html}");
    let missing = api
        .http
        .get(format!("{}/permalinks/v1/bm9wZQ==", api.sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn malformed_bodies_are_invalid() {
    let api = Api::new().await;
    let base = api.body("x");
    let cases: Vec<(&str, Value)> = vec![
        ("bad status", {
            let mut b = base.clone();
            b["status"] = json!("in-progress");
            b
        }),
        ("bad intent", {
            let mut b = base.clone();
            b["intent"] = json!("order");
            b
        }),
        ("no description", {
            let mut b = base.clone();
            b.as_object_mut().unwrap().remove("description");
            b
        }),
        ("no requester", {
            let mut b = base.clone();
            b.as_object_mut().unwrap().remove("requester");
            b
        }),
        ("requester not practitioner", {
            let mut b = base.clone();
            b["requester"] = json!({"reference": "Patient/x"});
            b
        }),
        ("bad due", {
            let mut b = base.clone();
            b["restriction"] = json!({"period": {"end": "soon"}});
            b
        }),
        ("wrong resource", {
            let mut b = base.clone();
            b["resourceType"] = json!("Patient");
            b
        }),
    ];
    for (what, body) in cases {
        let (status, code, text) = outcome(api.post("/Task", &body).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::BAD_REQUEST, "invalid"),
            "{what}: {text}"
        );
    }
    let garbage = api
        .http
        .post(api.url("/Task"))
        .bearer_auth(&api.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(outcome(garbage).await.1, "invalid");
    assert_eq!(api.sb.task_count(), 0);
}

#[tokio::test]
async fn references_to_unknown_resources_break_business_rules() {
    let api = Api::new().await;
    let base = api.body("x");
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "requester",
            "requester",
            json!({"reference": "Practitioner/nobody"}),
        ),
        (
            "owner",
            "owner",
            json!({"reference": "Practitioner/nobody"}),
        ),
        ("patient", "for", json!({"reference": "Patient/nobody"})),
        (
            "team",
            "extension",
            json!([{"url": GROUP_EXT, "valueReference": {"reference": "Group/nobody"}}]),
        ),
    ];
    for (what, field, value) in cases {
        let mut body = base.clone();
        body[field] = value;
        let (status, code, text) = outcome(api.post("/Task", &body).await).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, "business-rule"),
            "{what}: {text}"
        );
        assert!(text.contains("nobody"), "{text}");
    }
}

#[tokio::test]
async fn unknown_tasks_and_unsupported_methods() {
    let api = Api::new().await;
    let (status, code, _) = outcome(api.get("/Task/does-not-exist").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not-found")
    );
    let id = api.create(&api.body("x")).await;
    let url = api.url(&format!("/Task/{id}"));
    let delete = api
        .http
        .delete(&url)
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    let (status, code, _) = outcome(delete).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "not-supported")
    );
    let patch = api
        .http
        .patch(&url)
        .bearer_auth(&api.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(outcome(patch).await.1, "not-supported");
    let put_missing = api.put("nope", &api.body("x")).await;
    assert_eq!(outcome(put_missing).await.1, "not-found");
}

#[tokio::test]
async fn tasks_created_closed_are_stored_as_given() {
    let api = Api::new().await;
    let mut body = api.body("Already done");
    body["status"] = json!("completed");
    let id = api.create(&body).await;
    assert_eq!(api.task(&id).await["status"], "completed");
}

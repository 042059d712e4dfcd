//! The plugin WebSocket channel: who may connect, what each change broadcasts, and the knobs
//! that drop pushes or connections.

mod common;

use std::time::Duration;

use common::ws::{connect, next_json, Ws};
use common::Api;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::{self, Message};

async fn refused_status(url: String) -> u16 {
    match tokio_tungstenite::connect_async(url).await {
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("connection should be refused"),
    }
}

async fn nothing_within(ws: &mut Ws, wait: Duration) {
    if let Ok(Some(Ok(Message::Text(text)))) = tokio::time::timeout(wait, ws.next()).await {
        panic!("unexpected push {text}");
    }
}

/// Version 2: the payload's `task.modified` is the task's `lastModified` as read right after
/// the change, in the same format, and later than the previous one.
async fn assert_modified_is_current(api: &Api, id: &str, payload: &Value) {
    assert_eq!(payload["version"], 2, "{payload}");
    let modified = common::assert_canvas_micros(&payload["task"]["modified"]);
    let task = api.task(id).await;
    assert_eq!(
        payload["task"]["modified"], task["lastModified"],
        "{payload}"
    );
    let occurred = time::OffsetDateTime::parse(
        payload["occurred_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    // The burst rule may run `lastModified` a few seconds ahead of the clock, never far.
    assert!(
        (modified - occurred).whole_seconds().abs() < 10,
        "{payload}"
    );
}

#[tokio::test]
async fn refuses_wrong_keys_plugins_and_channels() {
    let api = Api::new().await;
    let sb = &api.sb;
    assert_eq!(refused_status(sb.ws_url()).await, 403);
    assert_eq!(
        refused_status(format!("{}?api_key=wrong", sb.ws_url())).await,
        403
    );
    let base = sb.base_url().replace("http://", "ws://");
    let other_plugin =
        format!("{base}/plugin-io/ws/other_plugin/taskbell/?api_key=sandbox-socket-key");
    assert_eq!(refused_status(other_plugin).await, 404);
    let other_channel =
        format!("{base}/plugin-io/ws/taskbell_relay/other/?api_key=sandbox-socket-key");
    assert_eq!(refused_status(other_channel).await, 404);
}

#[tokio::test]
async fn broadcasts_every_change_to_every_client() {
    let api = Api::new().await;
    let mut one = connect(&api.sb).await;
    let mut two = connect(&api.sb).await;
    let clinic = api.sb.clinic();
    let mut body = api.body("Call back");
    body["for"] = json!({"reference": format!("Patient/{}", clinic.patients[0].0)});
    body["owner"] = json!({"reference": format!("Practitioner/{}", clinic.practitioners[1].0)});
    body["restriction"] = json!({"period": {"end": "2024-05-01T12:00:00+00:00"}});
    body["input"] = json!([{"type": {"text": "label"}, "valueString": "Urgent"}]);
    let id = api.create(&body).await;

    let created = next_json(&mut one).await;
    assert_eq!(
        created,
        next_json(&mut two).await,
        "same bytes to every client"
    );
    assert_eq!(created["version"], 2);
    assert_eq!(
        created["task"]["modified"],
        api.task(&id).await["lastModified"],
        "task.modified is lastModified at the event"
    );
    assert_eq!(created["event"], "created");
    assert!(uuid::Uuid::parse_str(created["event_id"].as_str().unwrap()).is_ok());
    assert_eq!(created["task"]["id"], id.as_str());
    assert_eq!(created["task"]["title"], "Call back");
    assert_eq!(created["task"]["status"], "open");
    assert_eq!(created["task"]["due"], "2024-05-01T12:00:00+00:00");
    assert_eq!(created["task"]["labels"], json!(["Urgent"]));
    assert_eq!(created["creator"]["id"], clinic.requester.as_str());
    assert_eq!(
        created["assignee"]["staff"]["id"],
        clinic.practitioners[1].0.as_str()
    );
    assert!(created["assignee"]["team"].is_null());
    assert!(created.get("patient").is_none(), "no patient details");
    assert!(created.get("comment").is_none());
    time::OffsetDateTime::parse(
        created["occurred_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();

    let mut task = api.task(&id).await;
    task["description"] = json!("Call back today");
    api.put(&id, &task).await;
    let updated = next_json(&mut one).await;
    assert_modified_is_current(&api, &id, &updated).await;
    assert_eq!(
        (updated["event"].as_str(), updated["task"]["title"].as_str()),
        (Some("updated"), Some("Call back today"))
    );
    assert_ne!(updated["event_id"], created["event_id"]);

    task["note"] = json!([common::note(&api.sb, "Left a voicemail")]);
    api.put(&id, &task).await;
    let commented = next_json(&mut one).await;
    assert_modified_is_current(&api, &id, &commented).await;
    assert_eq!(commented["event"], "commented");
    assert!(commented["comment"]["id"].is_string());
    assert!(
        !commented.to_string().contains("voicemail"),
        "comment text is never sent"
    );

    assert!(api.sb.set_task_status(&id, "completed"));
    let completed = next_json(&mut one).await;
    assert_modified_is_current(&api, &id, &completed).await;
    assert_eq!(
        (
            completed["event"].as_str(),
            completed["task"]["status"].as_str()
        ),
        (Some("completed"), Some("completed"))
    );
    assert_eq!(completed["actor"]["id"], clinic.practitioners[1].0.as_str());

    assert!(api.sb.set_task_status(&id, "cancelled"));
    let closed = next_json(&mut one).await;
    assert_modified_is_current(&api, &id, &closed).await;
    assert_eq!(
        (closed["event"].as_str(), closed["task"]["status"].as_str()),
        (Some("closed"), Some("closed"))
    );
}

#[tokio::test]
async fn answers_pings() {
    let api = Api::new().await;
    let mut ws = connect(&api.sb).await;
    ws.send(Message::Ping(b"hi".to_vec().into())).await.unwrap();
    let pong = tokio::time::timeout(Duration::from_secs(3), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(pong, Message::Pong(b"hi".to_vec().into()));
}

#[tokio::test]
async fn dropped_pushes_and_the_completion_gap() {
    let api = Api::new().await;
    let mut ws = connect(&api.sb).await;
    api.sb.knobs().set_drop_pushes(true);
    let id = api.create(&api.body("quiet")).await;
    api.sb.set_task_status(&id, "completed");
    nothing_within(&mut ws, Duration::from_millis(300)).await;
    api.sb.knobs().set_drop_pushes(false);

    api.sb.knobs().set_skip_completed_push(true);
    let id = api.create(&api.body("gap")).await;
    assert_eq!(next_json(&mut ws).await["event"], "created");
    let mut task = api.task(&id).await;
    task["status"] = json!("completed");
    api.put(&id, &task).await;
    nothing_within(&mut ws, Duration::from_millis(300)).await;
    // Changes made in the UI still push.
    api.sb.set_task_status(&id, "requested");
    assert_eq!(next_json(&mut ws).await["event"], "updated");
    api.sb.set_task_status(&id, "completed");
    assert_eq!(next_json(&mut ws).await["event"], "completed");
}

#[tokio::test]
async fn envelope_knob_wraps_the_payload() {
    let api = Api::new().await;
    let mut ws = connect(&api.sb).await;
    api.sb.knobs().set_socket_envelope(true);
    let id = api.create(&api.body("wrapped")).await;
    let frame = next_json(&mut ws).await;
    assert_eq!(frame["message"]["task"]["id"], id.as_str());
}

#[tokio::test]
async fn drop_socket_connections_closes_every_client() {
    let api = Api::new().await;
    let mut one = connect(&api.sb).await;
    let mut two = connect(&api.sb).await;
    api.sb.knobs().drop_socket_connections();
    for ws in [&mut one, &mut two] {
        let frame = tokio::time::timeout(Duration::from_secs(3), ws.next())
            .await
            .unwrap();
        assert!(
            matches!(frame, Some(Ok(Message::Close(_))) | None),
            "{frame:?}"
        );
    }
    // New connections work afterwards.
    let mut three = connect(&api.sb).await;
    api.create(&api.body("after")).await;
    assert_eq!(next_json(&mut three).await["event"], "created");
}

#[tokio::test]
async fn duplicate_pushes_arrive_twice_with_the_same_bytes() {
    let api = Api::new().await;
    let mut ws = connect(&api.sb).await;
    api.sb.knobs().set_duplicate_pushes(true);
    let id = api.create(&api.body("twice")).await;
    let first = next_json(&mut ws).await;
    let second = next_json(&mut ws).await;
    assert_eq!(first["event"], "created");
    assert_eq!(first, second, "same event id, same body");
    assert!(api.sb.set_task_status(&id, "completed"));
    let (a, b) = (next_json(&mut ws).await, next_json(&mut ws).await);
    assert_eq!(a["event"], "completed");
    assert_eq!(a, b);
    assert_ne!(a["event_id"], first["event_id"]);
    nothing_within(&mut ws, Duration::from_millis(200)).await;

    api.sb.knobs().set_duplicate_pushes(false);
    assert!(api.sb.set_task_status(&id, "requested"));
    assert_eq!(next_json(&mut ws).await["event"], "updated");
    nothing_within(&mut ws, Duration::from_millis(300)).await;
}

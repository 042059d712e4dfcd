//! A Canvas that says "created" without saying which id (a 201 whose `Location` is missing or
//! unreadable) has made the task all the same: the entry becomes uncertain, never failed, and is
//! found by a search rather than sent again. Over real HTTP against a stand-in on loopback.

mod common;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use taskbell_core::canvas::{CanvasClient, CanvasConfig, TaskDraft};
use taskbell_core::engine::CreateOutcome;
use taskbell_core::store::OutboxState;

#[derive(Default)]
struct Made {
    /// Every body POSTed, as Canvas would keep it.
    posted: Mutex<Vec<Value>>,
    location: Mutex<Option<String>>,
}

async fn token() -> Json<Value> {
    Json(json!({"access_token": "t", "token_type": "Bearer", "expires_in": 3600}))
}

async fn create(State(m): State<Arc<Made>>, Json(body): Json<Value>) -> Response {
    m.posted.lock().expect("lock").push(body);
    match m.location.lock().expect("lock").clone() {
        Some(l) => (StatusCode::CREATED, [(header::LOCATION, l)]).into_response(),
        None => StatusCode::CREATED.into_response(),
    }
}

async fn search(State(m): State<Arc<Made>>) -> Json<Value> {
    let entries: Vec<Value> = m
        .posted
        .lock()
        .expect("lock")
        .iter()
        .enumerate()
        .map(|(n, body)| {
            let mut task = body.clone();
            task["id"] = json!(format!("made-{n}"));
            json!({"resource": task})
        })
        .collect();
    Json(
        json!({"resourceType": "Bundle", "type": "searchset", "total": entries.len(), "entry": entries}),
    )
}

async fn stand_in(location: Option<&str>) -> (Arc<Made>, CanvasClient) {
    let made = Arc::new(Made {
        location: Mutex::new(location.map(str::to_string)),
        ..Default::default()
    });
    let app = Router::new()
        .route("/token", post(token))
        .route("/Task", post(create).get(search))
        .with_state(made.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut cfg =
        CanvasConfig::with_urls("stand-in", &base, &format!("{base}/token"), "id", "secret")
            .expect("config");
    cfg.backoff_base = Duration::from_millis(10);
    (made, CanvasClient::new(cfg).expect("client"))
}

#[tokio::test]
async fn a_created_answer_without_a_readable_id_is_looked_for_not_resent() {
    for location in [
        None,
        Some("https://fumage-x.canvasmedical.com/"),
        Some("/Task/"),
    ] {
        let (made, client) = stand_in(location).await;
        let t = common::engine();
        t.engine.set_canvas(Some(client));
        let draft = TaskDraft {
            description: "Fax the referral".into(),
            requester: "p1".into(),
            ..Default::default()
        };
        let outcome = t.engine.create(draft).await.expect("saved, not refused");
        let CreateOutcome::Pending { local_id, reason } = outcome else {
            panic!("{location:?}: {outcome:?}")
        };
        assert!(reason.contains("will look for it"), "{reason}");
        let id = local_id.clone();
        let entry = t
            .engine
            .read(move |s| s.outbox_entry(&id))
            .await
            .expect("read")
            .expect("row");
        assert_eq!(
            entry.state,
            OutboxState::Uncertain,
            "{location:?}: the task exists, so the entry is never failed"
        );

        assert!(t.engine.retry_now(&local_id).await.expect("retry"));
        assert_eq!(t.engine.flush_outbox().await.expect("flush").created, 1);
        assert_eq!(
            made.posted.lock().expect("lock").len(),
            1,
            "{location:?}: sent a second time"
        );
        let entry = t
            .engine
            .read(move |s| s.outbox_entry(&local_id))
            .await
            .expect("read")
            .expect("row");
        assert_eq!(
            (entry.state, entry.task_id.as_deref()),
            (OutboxState::Created, Some("made-0"))
        );
    }
}

//! Hints: pushes that carry no Canvas time (the seed plugins' payloads, a bearer-only sender, an
//! older companion plugin) are never applied as they say when Canvas can be asked. Taskbell
//! reads the task, once however many hints came, and stores what Canvas says.

mod common;

use common::{client_for, engine, sandbox};
use std::time::Duration;
use taskbell_core::canvas::CanvasClient;
use taskbell_core::inbox::payload::{parse_canvas, Delivery};
use taskbell_core::inbox::webhook::WebhookConfig;
use taskbell_core::runtime::{Receive, Runtime, RuntimeConfig};
use taskbell_core::{Source, TaskRef, TaskStatus};

const HOOK: Delivery<'static> = Delivery {
    source: Source::Webhook,
    transport_id: None,
};

fn seed_bodies(id: &str) -> [String; 3] {
    [
        format!(r#"{{"task_id": "{id}", "disposition": "completed"}}"#),
        format!(r#"{{"message": "A Task was updated!", "resource_id": "{id}"}}"#),
        format!(
            r#"{{"task_id": "{id}", "event": "updated", "title": "Call back", "creator": null}}"#
        ),
    ]
}

async fn stored(t: &common::TestEngine, id: &str) -> Option<TaskStatus> {
    let task = TaskRef::new("sandbox", id);
    t.engine
        .read(move |s| s.task(&task))
        .await
        .expect("read")
        .map(|r| r.status)
}

#[tokio::test]
async fn every_seed_shape_leads_to_a_read_and_canvas_has_the_last_word() {
    let sb = sandbox().await;
    let t = engine();
    t.engine.set_canvas(Some(client_for(&sb)));
    for (n, body) in seed_bodies("placeholder").iter().enumerate() {
        let id = sb.insert_tasks(1, "requested").remove(0);
        // Canvas says closed, whatever the hint claims.
        assert!(sb.set_task_status(&id, "cancelled"));
        let body = body.replace("placeholder", &id);
        let hint = parse_canvas("sandbox", body.as_bytes(), HOOK).expect("parses");
        let ingested = t.engine.ingest(hint).await.expect("ingested");
        assert!(
            ingested.applied.hint && !ingested.notified,
            "shape {n}: a hint is recorded, not applied"
        );
        assert_eq!(
            stored(&t, &id).await,
            None,
            "shape {n}: nothing is stored on a hint's word"
        );

        sb.knobs().reset_request_count();
        assert_eq!(t.engine.read_hinted().await.expect("read"), 1, "shape {n}");
        assert_eq!(
            sb.knobs().request_count(),
            1,
            "shape {n}: one GET /Task/<id>"
        );
        assert_eq!(
            stored(&t, &id).await,
            Some(TaskStatus::Closed),
            "shape {n}: the state stored is Canvas's"
        );
        assert_eq!(
            t.engine.read_hinted().await.expect("read"),
            0,
            "shape {n}: the request is answered"
        );
    }
}

#[tokio::test]
async fn a_burst_of_hints_about_one_task_costs_one_read() {
    let sb = sandbox().await;
    let t = engine();
    t.engine.set_canvas(Some(client_for(&sb)));
    let id = sb.insert_tasks(1, "completed").remove(0);
    for n in 0..10 {
        let transport = format!("msg-{n}");
        let d = Delivery {
            source: Source::Webhook,
            transport_id: Some(&transport),
        };
        let body = format!(r#"{{"message": "A Task was updated!", "resource_id": "{id}"}}"#);
        assert!(
            t.engine
                .ingest(parse_canvas("sandbox", body.as_bytes(), d).expect("parses"))
                .await
                .expect("ingest")
                .applied
                .hint
        );
    }
    sb.knobs().reset_request_count();
    assert_eq!(t.engine.read_hinted().await.expect("read"), 1);
    assert_eq!(sb.knobs().request_count(), 1);
    assert_eq!(stored(&t, &id).await, Some(TaskStatus::Completed));
}

#[tokio::test]
async fn a_hint_waits_while_canvas_is_unreachable() {
    let sb = sandbox().await;
    let t = engine();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let mut cfg = client_for(&sb).config().clone();
    cfg.fhir_base = format!("http://127.0.0.1:{port}/fhir")
        .parse()
        .expect("url");
    cfg.token_url = format!("http://127.0.0.1:{port}/auth/token/")
        .parse()
        .expect("url");
    cfg.max_retries = 0;
    t.engine
        .set_canvas(Some(CanvasClient::new(cfg).expect("client")));
    let id = sb.insert_tasks(1, "completed").remove(0);
    let body = format!(r#"{{"task_id": "{id}", "disposition": "completed"}}"#);
    t.engine
        .ingest(parse_canvas("sandbox", body.as_bytes(), HOOK).expect("parses"))
        .await
        .expect("ingest");
    assert!(
        t.engine.read_hinted().await.is_err(),
        "Canvas cannot be reached"
    );
    assert_eq!(stored(&t, &id).await, None);

    // Canvas is back: the same request is still queued, and is answered.
    t.engine.set_canvas(Some(client_for(&sb)));
    assert_eq!(t.engine.read_hinted().await.expect("read"), 1);
    assert_eq!(stored(&t, &id).await, Some(TaskStatus::Completed));
}

#[tokio::test]
async fn with_no_canvas_to_ask_a_hint_is_stored_as_received_and_unconfirmed() {
    let t = engine();
    let body = br#"{"task_id": "t-1", "disposition": "closed"}"#;
    let ingested = t
        .engine
        .ingest(parse_canvas("sandbox", body, HOOK).expect("parses"))
        .await
        .expect("ingest");
    assert!(!ingested.applied.hint);
    assert_eq!(stored(&t, "t-1").await, Some(TaskStatus::Closed));
    let events = t
        .engine
        .read(|s| s.timeline(&TaskRef::new("sandbox", "t-1")))
        .await
        .expect("timeline");
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].detail.get("unconfirmed"),
        Some(&serde_json::Value::Bool(true)),
        "{:?}",
        events[0].detail
    );
}

/// The whole way: a bearer-only sender posts a seed payload to the webhook endpoint, and the
/// running app reads the task on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_app_reads_what_a_webhook_hint_mentions() {
    let sb = sandbox().await;
    let t = engine();
    let mut hook = WebhookConfig::new("sandbox");
    hook.port = 0;
    hook.bearer = Some("hint-token".into());
    let mut cfg = RuntimeConfig::new(
        Some(client_for(&sb).config().clone()),
        Receive::Webhook(hook),
    );
    cfg.reconcile_every = Duration::from_secs(3600);
    let runtime = Runtime::start(t.engine.clone(), cfg)
        .await
        .expect("runtime");
    let id = sb.insert_tasks(1, "requested").remove(0);
    assert!(sb.set_task_status(&id, "completed"));
    let url = format!("{}/hooks/canvas", runtime.webhook_url().expect("listening"));
    let answer = reqwest::Client::new()
        .post(url)
        .bearer_auth("hint-token")
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"message": "A Task was updated!", "resource_id": "{id}"}}"#
        ))
        .send()
        .await
        .expect("posted");
    assert!(answer.status().is_success(), "{}", answer.status());
    let mut done = false;
    for _ in 0..200 {
        if stored(&t, &id).await == Some(TaskStatus::Completed) {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(done, "the task was never read");
    runtime.shutdown().await;
}

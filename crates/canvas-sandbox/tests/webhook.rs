//! Outgoing Standard Webhooks: verified here with independent code, retried on 5xx with the
//! same id and timestamp, in order, and silenced by the drop knob.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use canvas_sandbox::{SandboxConfig, WebhookTarget};
use common::Api;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

const SECRET_KEY: &[u8] = b"a test key of reasonable length!";

#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    authorization: Option<String>,
    body: String,
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    fail_first: Arc<Mutex<u32>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    r.got.lock().unwrap().push(Received {
        id: header("webhook-id").unwrap_or_default(),
        timestamp: header("webhook-timestamp").unwrap_or_default(),
        signature: header("webhook-signature").unwrap_or_default(),
        authorization: header("authorization"),
        body: String::from_utf8(body.to_vec()).unwrap(),
    });
    let mut fail = r.fail_first.lock().unwrap();
    if *fail > 0 {
        *fail -= 1;
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    StatusCode::NO_CONTENT
}

async fn receiver(fail_first: u32) -> (Receiver, String) {
    let r = Receiver {
        fail_first: Arc::new(Mutex::new(fail_first)),
        ..Default::default()
    };
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (r, url)
}

fn config(url: String) -> SandboxConfig {
    SandboxConfig {
        webhook: Some(WebhookTarget {
            url,
            secret: format!("whsec_{}", STANDARD.encode(SECRET_KEY)),
            bearer: Some("relay-token".into()),
        }),
        ..Default::default()
    }
}

/// Standard Webhooks verification, written from the spec rather than shared with the sandbox.
fn verify(r: &Received) -> bool {
    let signed = format!("{}.{}.{}", r.id, r.timestamp, r.body);
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET_KEY).unwrap();
    mac.update(signed.as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    r.signature
        .split(' ')
        .any(|s| s.strip_prefix("v1,") == Some(expected.as_str()))
}

async fn wait_for(r: &Receiver, n: usize) -> Vec<Received> {
    for _ in 0..100 {
        let got = r.got.lock().unwrap().clone();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {n} deliveries, got {:?}", r.got.lock().unwrap());
}

#[tokio::test]
async fn posts_signed_payloads_in_order() {
    let (r, url) = receiver(0).await;
    let api = Api::with(config(url)).await;
    let id = api.create(&api.body("Café visit")).await;
    assert!(api.sb.set_task_status(&id, "completed"));
    let got = wait_for(&r, 2).await;
    for d in &got {
        assert!(verify(d), "signature checks: {d:?}");
        assert_eq!(d.authorization.as_deref(), Some("Bearer relay-token"));
        assert!(d.body.is_ascii(), "ASCII-only JSON: {}", d.body);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        assert!((now - d.timestamp.parse::<i64>().unwrap()).abs() < 30);
    }
    let payloads: Vec<Value> = got
        .iter()
        .map(|d| serde_json::from_str(&d.body).unwrap())
        .collect();
    assert_eq!(payloads[0]["event"], "created");
    assert_eq!(payloads[0]["version"], 2);
    assert_eq!(payloads[0]["task"]["title"], "Café visit");
    assert_eq!(payloads[1]["version"], 2);
    assert_eq!(
        payloads[1]["task"]["modified"],
        api.task(&id).await["lastModified"],
        "task.modified is lastModified after the change"
    );
    assert!(payloads[0]["task"]["modified"].as_str() < payloads[1]["task"]["modified"].as_str());
    assert_eq!(payloads[1]["event"], "completed");
    for (d, p) in got.iter().zip(&payloads) {
        assert_eq!(p["event_id"], d.id.as_str(), "webhook-id is the event id");
    }

    let mut tampered = got[0].clone();
    tampered.body = tampered.body.replace("created", "completed");
    assert!(!verify(&tampered));
}

#[tokio::test]
async fn retries_server_errors_with_the_same_headers() {
    let (r, url) = receiver(2).await;
    let api = Api::with(config(url)).await;
    let id = api.create(&api.body("retry me")).await;
    api.sb.set_task_status(&id, "cancelled");
    let got = wait_for(&r, 4).await;
    let (first, retries) = (&got[0], &got[1..3]);
    for retry in retries {
        assert_eq!(
            (&retry.id, &retry.timestamp, &retry.signature),
            (&first.id, &first.timestamp, &first.signature)
        );
    }
    let events: Vec<String> = got
        .iter()
        .map(|d| {
            serde_json::from_str::<Value>(&d.body).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        events,
        ["created", "created", "created", "closed"],
        "in order, after the retries"
    );
}

#[tokio::test]
async fn dropped_pushes_send_no_webhooks() {
    let (r, url) = receiver(0).await;
    let api = Api::with(config(url)).await;
    api.sb.knobs().set_drop_pushes(true);
    let id = api.create(&api.body("quiet")).await;
    let mut task = api.task(&id).await;
    task["note"] = json!([common::note(&api.sb, "hello")]);
    api.put(&id, &task).await;
    api.sb.knobs().set_drop_pushes(false);
    api.sb.set_task_status(&id, "completed");
    let got = wait_for(&r, 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(r.got.lock().unwrap().len(), 1);
    assert_eq!(
        serde_json::from_str::<Value>(&got[0].body).unwrap()["event"],
        "completed"
    );
}

#[tokio::test]
async fn a_malformed_secret_fails_start() {
    let config = SandboxConfig {
        webhook: Some(WebhookTarget {
            url: "http://127.0.0.1:9/".into(),
            secret: "plain".into(),
            bearer: None,
        }),
        ..Default::default()
    };
    assert!(canvas_sandbox::Sandbox::start(config).await.is_err());
}

#[tokio::test]
async fn duplicate_pushes_deliver_every_webhook_twice() {
    let (r, url) = receiver(0).await;
    let api = Api::with(config(url)).await;
    api.sb.knobs().set_duplicate_pushes(true);
    let id = api.create(&api.body("twice")).await;
    assert!(api.sb.set_task_status(&id, "completed"));
    let got = wait_for(&r, 4).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(r.got.lock().unwrap().len(), 4, "no third copy");
    for pair in got.chunks(2) {
        assert!(pair.iter().all(verify));
        assert_eq!(pair[0].id, pair[1].id, "same webhook-id");
        assert_eq!(pair[0].body, pair[1].body, "same body");
    }
    assert_ne!(got[0].id, got[2].id);
    let events: Vec<Value> = got
        .iter()
        .map(|d| serde_json::from_str::<Value>(&d.body).unwrap()["event"].clone())
        .collect();
    assert_eq!(events, ["created", "created", "completed", "completed"]);
}

#[tokio::test]
async fn timestamps_follow_the_sandbox_clock() {
    let (r, url) = receiver(0).await;
    let api = Api::with(config(url)).await;
    let offset = time::Duration::minutes(-10);
    api.sb.knobs().set_clock_offset(offset);
    let id = api.create(&api.body("skewed")).await;
    let got = wait_for(&r, 1).await;
    assert!(verify(&got[0]));
    let sent =
        time::OffsetDateTime::from_unix_timestamp(got[0].timestamp.parse().unwrap()).unwrap();
    assert!(
        common::skew_secs(sent, offset) <= 3,
        "webhook-timestamp {sent}"
    );
    let payload: Value = serde_json::from_str(&got[0].body).unwrap();
    let occurred = time::OffsetDateTime::parse(
        payload["occurred_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(
        common::skew_secs(occurred, offset) <= 3,
        "occurred_at {occurred}"
    );
    let modified = common::assert_canvas_micros(&payload["task"]["modified"]);
    assert!(
        common::skew_secs(modified, offset) <= 3,
        "task.modified {modified}"
    );
    assert_eq!(
        payload["task"]["modified"],
        api.task(&id).await["lastModified"]
    );
}

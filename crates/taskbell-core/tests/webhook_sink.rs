//! The webhook endpoint over real HTTP on loopback, in front of an in-memory sink: what it
//! promises a sender whatever stores its events. It says "stored" only once the sink says the
//! event is durable, turns a sink that cannot store into a 503 the sender retries, hands the
//! sink nothing it refused, and holds signatures against Canvas's clock once it is known.

use std::sync::Arc;
use std::time::Duration;
use taskbell_core::inbox::signature::{self, unix_now};
use taskbell_core::inbox::sink::MemorySink;
use taskbell_core::inbox::webhook::{self, WebhookConfig, WebhookServer, MAX_BODY};
use taskbell_core::time_util::Clock;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

struct Endpoint {
    sink: Arc<MemorySink>,
    server: WebhookServer,
    http: reqwest::Client,
}

async fn endpoint() -> Endpoint {
    let mut config = WebhookConfig::new("test-clinic");
    config.port = 0;
    config.secret = Some(SECRET.into());
    let sink = Arc::new(MemorySink::new());
    let server = webhook::start(config, sink.clone()).await.expect("start");
    Endpoint {
        sink,
        server,
        http: reqwest::Client::new(),
    }
}

fn example(name: &str) -> Vec<u8> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../canvas-plugin/schema/examples");
    std::fs::read(dir.join(name)).expect("example payload")
}

/// A delivery as the plugin sends it, signed with `id` at `timestamp`.
fn delivery(
    http: &reqwest::Client,
    url: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> reqwest::RequestBuilder {
    typed_delivery(http, url, "application/json", id, timestamp, body)
}

fn typed_delivery(
    http: &reqwest::Client,
    url: &str,
    content_type: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> reqwest::RequestBuilder {
    http.post(url)
        .header("content-type", content_type)
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature::sign(SECRET, id, timestamp, body).expect("sign"),
        )
        .body(body.to_vec())
}

impl Endpoint {
    fn url(&self) -> String {
        format!("{}/hooks/canvas", self.server.local_url())
    }

    /// Status and JSON body of a signed delivery of `body`.
    async fn deliver(&self, id: &str, timestamp: i64, body: &[u8]) -> (u16, serde_json::Value) {
        let answer = delivery(&self.http, &self.url(), id, timestamp, body)
            .send()
            .await
            .expect("answer");
        (
            answer.status().as_u16(),
            answer.json().await.expect("a JSON answer"),
        )
    }
}

fn stored(duplicate: bool) -> (u16, serde_json::Value) {
    (
        200,
        serde_json::json!({"stored": true, "duplicate": duplicate}),
    )
}

#[tokio::test]
async fn the_answer_waits_until_the_sink_says_the_event_is_durable() {
    let ep = endpoint().await;
    ep.sink.set_held(true);
    let request = delivery(
        &ep.http,
        &ep.url(),
        "held-1",
        unix_now(),
        &example("completed.json"),
    );
    let answer = tokio::spawn(request.send());

    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while ep.sink.offered() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the delivery never reached the sink"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Time enough for an answer that did not wait to arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !answer.is_finished(),
        "answered before the sink said the event was durable"
    );

    ep.sink.set_held(false);
    let answer = tokio::time::timeout(Duration::from_secs(10), answer)
        .await
        .expect("answered")
        .expect("joined");
    let answer = answer.expect("an answer");
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(ep.sink.events().len(), 1);
}

#[tokio::test]
async fn a_sink_that_cannot_store_is_a_503_to_retry_and_the_retry_is_stored_once() {
    let ep = endpoint().await;
    let body = example("completed.json");
    let now = unix_now();
    ep.sink.set_failing(true);
    let answer = delivery(&ep.http, &ep.url(), "retry-1", now, &body)
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status().as_u16(), 503);
    assert_eq!(
        answer
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("5")
    );
    let text = answer.text().await.expect("body");
    let reason: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(reason, serde_json::json!({"error": webhook::STORE_FAILED}));
    assert!(
        !text.contains("memory sink"),
        "the sink's own words reached the sender: {text}"
    );
    assert!(ep.sink.events().is_empty());

    ep.sink.set_failing(false);
    assert_eq!(ep.deliver("retry-1", now, &body).await, stored(false));
    assert_eq!(ep.deliver("retry-1", now, &body).await, stored(true));
    assert_eq!(ep.sink.events().len(), 1);
}

#[tokio::test]
async fn nothing_refused_reaches_the_sink() {
    let ep = endpoint().await;
    let body = example("completed.json");
    let url = ep.url();
    let now = unix_now();
    let refusals = [
        // No credentials at all.
        (
            401,
            ep.http
                .post(&url)
                .header("content-type", "application/json")
                .body(body.clone()),
        ),
        // Signed for another body.
        (
            401,
            delivery(&ep.http, &url, "r1", now, b"{}").body(body.clone()),
        ),
        // Too old.
        (400, delivery(&ep.http, &url, "r2", now - 3600, &body)),
        // Not sent as JSON.
        (
            415,
            typed_delivery(&ep.http, &url, "text/plain", "r3", now, &body),
        ),
        // Not a payload Taskbell knows.
        (
            400,
            delivery(&ep.http, &url, "r4", now, br#"{"hello": "world"}"#),
        ),
        // Too large to be one.
        (
            413,
            delivery(&ep.http, &url, "r5", now, &vec![b' '; MAX_BODY + 1]),
        ),
        // Not an endpoint.
        (
            404,
            delivery(
                &ep.http,
                &format!("{}/hooks/other", ep.server.local_url()),
                "r6",
                now,
                &body,
            ),
        ),
    ];
    for (n, (status, request)) in refusals.into_iter().enumerate() {
        let answer = request.send().await.expect("answer");
        assert_eq!(answer.status().as_u16(), status, "refusal #{n}");
    }
    assert_eq!(ep.sink.offered(), 0);
}

#[tokio::test]
async fn signatures_are_held_against_canvas_clock_once_canvas_has_answered() {
    let ep = endpoint().await;
    let body = example("completed.json");
    // A desktop ten minutes fast, beyond the tolerance; Canvas and the sender on true time.
    ep.sink
        .set_desktop_clock(Clock::skewed(time::Duration::minutes(10)));

    let (status, answer) = ep.deliver("skew-1", unix_now(), &body).await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]
            .as_str()
            .is_some_and(|e| e.contains("s old")),
        "{answer}"
    );
    assert!(ep.sink.events().is_empty());

    ep.sink.set_canvas_clock(Some(Clock::system()));
    assert_eq!(ep.deliver("skew-2", unix_now(), &body).await, stored(false));

    // A sender on a Canvas clock that is itself off true time is held against that clock.
    let canvas = Clock::skewed(time::Duration::minutes(-8));
    ep.sink.set_canvas_clock(Some(canvas));
    let mut later = serde_json::from_slice::<serde_json::Value>(&body).expect("json");
    later["event_id"] = serde_json::json!("77777777-2222-4333-8444-555555555555");
    let later = serde_json::to_vec(&later).expect("json");
    assert_eq!(
        ep.deliver("skew-3", canvas.now().unix_timestamp(), &later)
            .await,
        stored(false)
    );
    assert_eq!(ep.sink.events().len(), 2);
}

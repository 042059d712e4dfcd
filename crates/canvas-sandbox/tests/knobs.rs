//! Failure and latency knobs, and the request counter tests use to count retries.

mod common;

use std::time::{Duration, Instant};

use common::{outcome, Api};
use reqwest::StatusCode;

#[tokio::test]
async fn throttles_the_next_n_requests_with_retry_after() {
    let api = Api::new().await;
    api.sb.knobs().fail_with_429(2, 7);
    for _ in 0..2 {
        let response = api.get("/Task").await;
        assert_eq!(response.headers()["retry-after"], "7");
        let (status, code, _) = outcome(response).await;
        assert_eq!(
            (status, code.as_str()),
            (StatusCode::TOO_MANY_REQUESTS, "throttled")
        );
    }
    assert_eq!(api.get("/Task").await.status(), StatusCode::OK);
    assert_eq!(api.sb.knobs().request_count(), 3);
}

#[tokio::test]
async fn fails_the_next_n_requests_with_the_given_server_error() {
    let api = Api::new().await;
    for status in [500u16, 502, 503] {
        api.sb.knobs().fail_with_5xx(1, status);
        let (got, code, _) = outcome(api.get("/Task").await).await;
        assert_eq!((got.as_u16(), code.as_str()), (status, "exception"));
        assert_eq!(api.get("/Task").await.status(), StatusCode::OK);
    }
    // Throttling comes first when both are armed.
    api.sb.knobs().fail_with_5xx(1, 503);
    api.sb.knobs().fail_with_429(1, 1);
    assert_eq!(
        api.get("/Task").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        api.get("/Task").await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(api.get("/Task").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn creates_refused_by_a_knob_store_nothing() {
    let api = Api::new().await;
    api.sb.knobs().fail_with_5xx(1, 502);
    assert_eq!(
        api.post("/Task", &api.body("x")).await.status(),
        StatusCode::BAD_GATEWAY
    );
    assert_eq!(api.sb.task_count(), 0);
}

#[tokio::test]
async fn latency_delays_fhir_and_token_answers() {
    let api = Api::new().await;
    api.sb.knobs().set_latency(Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(api.get("/Task").await.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    common::token(&api.sb).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    api.sb.knobs().set_latency(Duration::ZERO);
}

#[tokio::test]
async fn latency_delays_creates_too() {
    let api = Api::new().await;
    api.sb.knobs().set_latency(Duration::from_millis(400));
    let started = Instant::now();
    let response = api.post("/Task", &api.body("slow")).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(api.sb.task_count(), 1);
    api.sb.knobs().set_latency(Duration::ZERO);
    let started = Instant::now();
    api.post("/Task", &api.body("fast")).await;
    assert!(started.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn latency_is_held_before_a_create_is_applied() {
    // A client that times out during the latency has sent nothing Canvas acted on; the answer
    // delay knob is the one that loses answers to applied requests.
    let api = Api::new().await;
    api.sb.knobs().set_latency(Duration::from_millis(600));
    let slow = api
        .http
        .post(api.url("/Task"))
        .bearer_auth(&api.token)
        .json(&api.body("x"));
    let gave_up = tokio::time::timeout(Duration::from_millis(200), slow.send()).await;
    assert!(gave_up.is_err());
    assert_eq!(api.sb.task_count(), 0);
}

#[tokio::test]
async fn counts_fhir_requests_but_not_token_requests_or_direct_access() {
    let api = Api::new().await;
    assert_eq!(api.sb.knobs().request_count(), 0);
    api.get("/Task").await;
    api.get("/Patient").await;
    let _ = api.http.get(api.url("/Task")).send().await.unwrap(); // unauthenticated still counts
    common::token(&api.sb).await;
    let ids = api.sb.insert_tasks(3, "requested");
    api.sb.task_json(&ids[0]);
    api.sb.set_task_status(&ids[0], "completed");
    assert_eq!(api.sb.knobs().request_count(), 3);
    assert_eq!(api.sb.knobs().token_count(), 2);
    api.sb.knobs().reset_request_count();
    assert_eq!(api.sb.knobs().request_count(), 0);
}

#[tokio::test]
async fn direct_status_changes_report_unknowns() {
    let api = Api::new().await;
    let ids = api.sb.insert_tasks(2, "cancelled");
    assert_eq!(api.sb.task_count(), 2);
    assert_eq!(api.sb.task_json(&ids[0]).unwrap()["status"], "cancelled");
    assert!(!api.sb.set_task_status("nope", "completed"));
    assert!(!api.sb.set_task_status(&ids[0], "finished"));
    assert!(api.sb.set_task_status(&ids[0], "requested"));
    assert_eq!(api.sb.task_json(&ids[0]).unwrap()["status"], "requested");
    assert!(api.sb.task_json("nope").is_none());
}

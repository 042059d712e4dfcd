//! Numbers a server sends that end up in clock arithmetic: `Retry-After` and a token's
//! `expires_in`. Whatever they say (huge, negative, fractional, a date in the year 9999), the
//! client must neither panic nor wait beyond its caps. Over real HTTP, against a tiny Canvas
//! stand-in on loopback that answers exactly what each test tells it to.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use taskbell_core::backoff::RETRY_AFTER_CAP;
use taskbell_core::canvas::{CanvasClient, CanvasConfig, CanvasError};

/// What the stand-in answers.
#[derive(Default)]
struct Script {
    expires_in: Mutex<Option<Value>>,
    /// When set, every Task read is answered with this status and `Retry-After` value.
    refuse: Mutex<Option<(StatusCode, String)>>,
    tokens: AtomicUsize,
    reads: AtomicUsize,
}

async fn token(State(s): State<Arc<Script>>) -> Json<Value> {
    let n = s.tokens.fetch_add(1, Ordering::SeqCst);
    let mut answer = json!({"access_token": format!("token-{n}"), "token_type": "Bearer"});
    if let Some(v) = s.expires_in.lock().expect("lock").clone() {
        answer["expires_in"] = v;
    }
    Json(answer)
}

async fn task(State(s): State<Arc<Script>>) -> Response {
    s.reads.fetch_add(1, Ordering::SeqCst);
    let refuse = s.refuse.lock().expect("lock").clone();
    match refuse {
        Some((status, after)) => {
            let outcome = json!({"resourceType": "OperationOutcome", "issue": [{"code": "throttled", "diagnostics": "slow down"}]});
            (status, [(header::RETRY_AFTER, after)], Json(outcome)).into_response()
        }
        None => {
            Json(json!({"resourceType": "Task", "id": "t1", "status": "requested"})).into_response()
        }
    }
}

async fn stand_in() -> (Arc<Script>, CanvasClient, tokio::task::JoinHandle<()>) {
    let script = Arc::new(Script::default());
    let app = Router::new()
        .route("/token", post(token))
        .route("/Task/{id}", get(task))
        .with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut cfg =
        CanvasConfig::with_urls("stand-in", &base, &format!("{base}/token"), "id", "secret")
            .expect("config");
    cfg.backoff_base = Duration::from_millis(10);
    cfg.backoff_cap = Duration::from_millis(50);
    cfg.call_timeout = Duration::from_secs(30);
    (script, CanvasClient::new(cfg).expect("client"), server)
}

#[tokio::test]
async fn any_expires_in_gives_a_working_token_and_no_panic() {
    let odd = [
        json!(u64::MAX),
        json!(1e300),
        json!(-1),
        json!(i64::MIN),
        json!(3.5),
        json!(0),
        json!("soon"),
        json!([]),
    ];
    for expires_in in odd {
        // A stand-in (and a client, with its token cache) per case.
        let (script, client, server) = stand_in().await;
        *script.expires_in.lock().expect("lock") = Some(expires_in.clone());
        let t = client
            .read_task("t1")
            .await
            .unwrap_or_else(|e| panic!("expires_in {expires_in}: {e}"));
        assert_eq!(t.id, "t1");
        // Capped or short, each lifetime is at least a minute: the next call reuses the token.
        client.read_task("t1").await.expect("second read");
        assert_eq!(
            script.tokens.load(Ordering::SeqCst),
            1,
            "expires_in {expires_in}"
        );
        server.abort();
    }
}

#[tokio::test]
async fn a_huge_retry_after_on_429_gives_up_at_once_with_the_capped_wait() {
    // The second is u64::MAX seconds: added to an Instant as it stands, it overflows.
    for huge in [
        "99999999999999",
        "18446744073709551615",
        "99999999999999999999999999",
    ] {
        let (script, client, server) = stand_in().await;
        *script.refuse.lock().expect("lock") = Some((StatusCode::TOO_MANY_REQUESTS, huge.into()));
        let started = Instant::now();
        let err = client.read_task("t1").await.expect_err("throttled");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{huge}: waited {:?}",
            started.elapsed()
        );
        match &err {
            CanvasError::RateLimited { retry_after } => {
                assert_eq!(*retry_after, Some(RETRY_AFTER_CAP), "{huge}")
            }
            other => panic!("{huge}: expected RateLimited, got {other:?}"),
        }
        assert!(err.to_string().contains("retry after 3600 s"), "{err}");
        assert_eq!(
            script.reads.load(Ordering::SeqCst),
            1,
            "{huge}: an hour does not fit the call's time"
        );
        server.abort();
    }
}

#[tokio::test]
async fn a_503_until_the_year_9999_gives_up_at_once() {
    let (script, client, server) = stand_in().await;
    let far = "Fri, 31 Dec 9999 23:59:59 GMT".to_string();
    *script.refuse.lock().expect("lock") = Some((StatusCode::SERVICE_UNAVAILABLE, far));
    let started = Instant::now();
    let err = client.read_task("t1").await.expect_err("unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(err.status(), Some(503));
    assert_eq!(script.reads.load(Ordering::SeqCst), 1);
    server.abort();
}

#[tokio::test]
async fn a_short_retry_after_is_still_honoured() {
    let (script, client, server) = stand_in().await;
    *script.refuse.lock().expect("lock") = Some((StatusCode::TOO_MANY_REQUESTS, "1".into()));
    let lift = {
        let script = script.clone();
        tokio::spawn(async move {
            while script.reads.load(Ordering::SeqCst) == 0 {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            *script.refuse.lock().expect("lock") = None;
        })
    };
    let started = Instant::now();
    client.read_task("t1").await.expect("read after the wait");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retried after {:?}",
        started.elapsed()
    );
    lift.await.expect("lifter");
    server.abort();
}

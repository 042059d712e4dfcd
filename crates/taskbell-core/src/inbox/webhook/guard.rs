//! What keeps the webhook endpoint standing once a tunnel exposes it to the internet: a
//! deadline on each whole request (a client that trickles its body must not hold a connection
//! for ever), a bound on requests in flight (past it, senders hear 503 and retry later instead
//! of queueing without bound), and a panic answered with a fixed sentence (the detail goes to
//! the log only: an answer may be read by anyone who found the tunnel's URL).

use super::reply::Reply;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The answer to a panic, whatever it was.
pub(super) const INTERNAL_ERROR: &str = "something went wrong on our side; try again later";
/// The answer when too many requests are in flight.
pub(super) const BUSY: &str = "too many deliveries at once; try again shortly";

/// The endpoint's bounds; see [`WebhookConfig`](super::WebhookConfig).
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub request_timeout: Duration,
    pub max_in_flight: usize,
}

/// `app` wrapped in the guards: the in-flight bound outermost, so that a refused request costs
/// nothing else; the deadline around the whole handler, body reading included; the panic
/// catcher innermost, so that a panic is answered before the deadline runs out.
pub(super) fn guard<S: Clone + Send + Sync + 'static>(app: Router<S>, limits: Limits) -> Router<S> {
    let permits = Arc::new(Semaphore::new(limits.max_in_flight));
    app.layer(middleware::from_fn(contain_panics))
        .layer(middleware::from_fn_with_state(
            limits.request_timeout,
            deadline,
        ))
        .layer(middleware::from_fn_with_state(permits, bounded))
}

async fn bounded(State(permits): State<Arc<Semaphore>>, req: Request, next: Next) -> Response {
    // Held until the answer is produced; dropped with it.
    let Ok(_permit) = permits.try_acquire_owned() else {
        tracing::warn!("webhook endpoint busy: refused a delivery with 503");
        return Reply::new(StatusCode::SERVICE_UNAVAILABLE, BUSY).into_response();
    };
    next.run(req).await
}

async fn deadline(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(limit = ?limit, "a webhook request was not complete in time: answered 408");
            let reason = format!(
                "the request was not received and handled within {} s",
                limit.as_secs().max(1)
            );
            let mut response = Reply::new(StatusCode::REQUEST_TIMEOUT, reason).into_response();
            // The rest of a trickled body is not worth waiting for: hang up after answering.
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

/// A bug must not take the connection down without an answer the sender can retry on.
async fn contain_panics(req: Request, next: Next) -> Response {
    match AssertUnwindSafe(next.run(req)).catch_unwind().await {
        Ok(response) => response,
        Err(payload) => {
            tracing::error!("the webhook handler panicked");
            // The message may quote the delivery: not above debug.
            let text = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str));
            tracing::debug!("the panic: {}", text.unwrap_or("(no message)"));
            Reply::new(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL_ERROR).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    //! The panic path needs a handler that panics, which the real routes never do on purpose:
    //! a router of its own, served over real HTTP on loopback.
    use super::*;
    use axum::routing::post;

    async fn serve(app: Router) -> (String, tokio::task::JoinHandle<()>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (url, task)
    }

    #[tokio::test]
    async fn a_panic_is_answered_500_without_its_text() {
        let limits = Limits {
            request_timeout: Duration::from_secs(10),
            max_in_flight: 4,
        };
        let app = guard(
            Router::new().route(
                "/boom",
                post(|| async {
                    if std::hint::black_box(true) {
                        panic!("secret-detail: patient Jane Doe, table task_events");
                    }
                    "unreachable"
                }),
            ),
            limits,
        );
        let (url, server) = serve(app).await;
        let answer = reqwest::Client::new()
            .post(format!("{url}/boom"))
            .body("{}")
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status().as_u16(), 500);
        let text = answer.text().await.expect("body");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).expect("json")["error"],
            INTERNAL_ERROR
        );
        for leaked in ["secret-detail", "Jane", "task_events", "panic"] {
            assert!(!text.contains(leaked), "{leaked} in {text}");
        }
        server.abort();
    }
}

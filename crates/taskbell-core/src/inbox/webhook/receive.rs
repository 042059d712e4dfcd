//! The endpoint's routes and what a delivery goes through: read the body, authenticate, check
//! that it is JSON, parse it into a [`TaskEvent`], hand it to the [`Sink`], and answer 2xx only
//! once it is durable.
//!
//! Every answer is JSON: `{"stored": true, "duplicate": bool}` or `{"error": "<reason>"}`.
//! A sender's mistake is a 4xx with a reason it can log; a store failure is a 503, which every
//! webhook sender (Canvas's `HttpRequestEffect` included) retries.

use super::auth::{signing_clock, Auth};
use super::reply::Reply;
use super::{MAX_BODY, STORE_FAILED};
use crate::inbox::payload::{self, Delivery, PayloadError};
use crate::inbox::signature;
use crate::inbox::sink::{Receipt, Sink};
use crate::task::{Source, TaskEvent};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;

/// What every request is handled with.
pub(super) struct App {
    pub sink: Arc<dyn Sink>,
    pub system: String,
    pub auth: Auth,
}

/// The routes, before the guards and the state are added.
pub(super) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/hooks/canvas", post(canvas))
        .route("/hooks/fragment", post(fragment))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

#[derive(Clone, Copy)]
enum Route {
    Canvas,
    Fragment,
}

impl Route {
    fn name(self) -> &'static str {
        match self {
            Route::Canvas => "/hooks/canvas",
            Route::Fragment => "/hooks/fragment",
        }
    }
}

async fn canvas(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    answer(
        receive(&app, Route::Canvas, &headers, body).await,
        Route::Canvas,
    )
}

async fn fragment(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    answer(
        receive(&app, Route::Fragment, &headers, body).await,
        Route::Fragment,
    )
}

async fn healthz() -> Response {
    (StatusCode::OK, Json(json!({"ok": true}))).into_response()
}

async fn not_found() -> Response {
    Reply::new(
        StatusCode::NOT_FOUND,
        "no such endpoint: POST to /hooks/canvas or /hooks/fragment",
    )
    .into_response()
}

async fn method_not_allowed() -> Response {
    Reply::new(StatusCode::METHOD_NOT_ALLOWED, "this endpoint takes POST").into_response()
}

async fn receive(
    app: &App,
    route: Route,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Receipt, Reply> {
    let body = body.map_err(body_rejection)?;
    app.auth
        .check(headers, &body, signing_clock(app.sink.as_ref()))?;
    if !is_json(headers) {
        return Err(Reply::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be sent as Content-Type: application/json",
        ));
    }
    let event = parse(app, route, headers, &body)
        .map_err(|e| Reply::new(StatusCode::BAD_REQUEST, e.to_string()))?;
    tracing::debug!(route = route.name(), key = %event.delivery_key, "webhook delivery parsed");
    let (system, task, kind) = (event.task.system.clone(), event.task.id.clone(), event.kind);
    let receipt = app.sink.ingest(event).await.map_err(|e| {
        tracing::error!(
            route = route.name(),
            "a webhook event could not be stored: {e}"
        );
        Reply::new(StatusCode::SERVICE_UNAVAILABLE, STORE_FAILED)
    })?;
    let duplicate = receipt.duplicate;
    tracing::info!(route = route.name(), %system, %task, kind = kind.as_str(), duplicate, "webhook event stored");
    Ok(receipt)
}

fn parse(
    app: &App,
    route: Route,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<TaskEvent, PayloadError> {
    let transport_id = headers
        .get(signature::ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty());
    match route {
        Route::Canvas => payload::parse_canvas(
            &app.system,
            body,
            Delivery {
                source: Source::Webhook,
                transport_id,
            },
        ),
        Route::Fragment => payload::parse_fragment(
            body,
            Delivery {
                source: Source::Fragment,
                transport_id,
            },
        ),
    }
}

fn answer(result: Result<Receipt, Reply>, route: Route) -> Response {
    match result {
        Ok(Receipt { duplicate, .. }) => {
            let body = if duplicate {
                r#"{"stored":true,"duplicate":true}"#
            } else {
                r#"{"stored":true,"duplicate":false}"#
            };
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response()
        }
        Err(reply) => {
            if reply.status.is_server_error() {
                tracing::warn!(
                    route = route.name(),
                    status = reply.status.as_u16(),
                    "webhook delivery not stored"
                );
            } else {
                tracing::warn!(
                    route = route.name(),
                    status = reply.status.as_u16(),
                    "webhook delivery refused: {}",
                    reply.reason
                );
            }
            reply.into_response()
        }
    }
}

fn body_rejection(e: BytesRejection) -> Reply {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Reply::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {} KiB", MAX_BODY / 1024),
        )
    } else {
        tracing::debug!("a webhook body could not be read: {}", e.body_text());
        Reply::new(StatusCode::BAD_REQUEST, "the body could not be read")
    }
}

/// `application/json`, with parameters or not, and `application/<x>+json`.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).expect("valid header"));
        }
        h
    }

    #[test]
    fn json_content_types() {
        assert!(is_json(&headers(&[("content-type", "application/json")])));
        assert!(is_json(&headers(&[(
            "content-type",
            "Application/JSON; charset=utf-8"
        )])));
        assert!(is_json(&headers(&[(
            "content-type",
            "application/cloudevents+json"
        )])));
        assert!(!is_json(&headers(&[("content-type", "text/plain")])));
        assert!(!is_json(&headers(&[(
            "content-type",
            "application/x-www-form-urlencoded"
        )])));
        assert!(!is_json(&HeaderMap::new()));
    }
}

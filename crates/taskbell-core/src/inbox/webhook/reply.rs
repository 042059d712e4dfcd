//! What a refused or failed delivery hears: a status and a one-line reason, as
//! `{"error": "<reason>"}`, with `Retry-After` when the failure is ours and passing.
//!
//! Its own module because every layer of the endpoint refuses in this one shape: the guards,
//! the authentication and the handlers.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A refusal: its status and a one-line reason for the sender's logs.
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) reason: String,
}

impl Reply {
    pub(super) fn new(status: StatusCode, reason: impl Into<String>) -> Self {
        let reason = reason.into().replace(['\r', '\n'], " ");
        Reply { status, reason }
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({"error": self.reason}))).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}

//! FHIR errors as Canvas answers them: an `OperationOutcome` whose issue code matches the
//! HTTP status, so clients can be tested against every code Canvas documents.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    status: StatusCode,
    code: &'static str,
    text: String,
    retry_after: Option<u64>,
}

impl Outcome {
    fn new(status: StatusCode, code: &'static str, text: impl Into<String>) -> Self {
        Outcome {
            status,
            code,
            text: text.into(),
            retry_after: None,
        }
    }
    pub fn invalid(text: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid", text)
    }
    pub fn unknown(text: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unknown", text)
    }
    pub fn not_found(text: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", text)
    }
    pub fn not_supported(text: impl Into<String>) -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, "not-supported", text)
    }
    pub fn conflict(text: impl Into<String>) -> Self {
        Self::new(StatusCode::PRECONDITION_FAILED, "conflict", text)
    }
    pub fn business_rule(text: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "business-rule", text)
    }
    pub fn throttled(retry_after_secs: u64) -> Self {
        let mut o = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            format!("Too many requests; retry after {retry_after_secs} seconds."),
        );
        o.retry_after = Some(retry_after_secs);
        o
    }
    pub fn exception(status: u16) -> Self {
        let status = StatusCode::from_u16(status)
            .ok()
            .filter(|s| s.is_server_error())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Self::new(
            status,
            "exception",
            "The server failed to handle the request (simulated).",
        )
    }

    pub fn body(&self) -> serde_json::Value {
        json!({
            "resourceType": "OperationOutcome",
            "issue": [{
                "severity": "error",
                "code": self.code,
                "details": {"text": self.text},
            }],
        })
    }
}

impl IntoResponse for Outcome {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        let headers = response.headers_mut();
        if let Some(secs) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

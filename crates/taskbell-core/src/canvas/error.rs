//! What can go wrong talking to Canvas, each case worded so the UI can show it as it is.

use serde_json::Value;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum CanvasError {
    #[error("Canvas refused the client id or secret: {0}. Check them in Settings.")]
    Auth(String),
    /// An `OperationOutcome` (or any non-2xx answer), with the server's own text.
    #[error("Canvas answered {status} ({code}): {text}")]
    Outcome {
        status: u16,
        code: String,
        text: String,
    },
    #[error("Canvas is limiting requests{}; Taskbell will try again later", retry_hint(.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    /// The request never reached Canvas, so it is safe to send again.
    #[error(
        "could not reach Canvas at {host}: {detail}. Check the network and the URL in Settings."
    )]
    Unreachable { host: String, detail: String },
    /// The request was sent but no answer came: Canvas may or may not have applied it.
    #[error("Canvas did not answer in time ({detail}); the change may or may not have been made")]
    Ambiguous { detail: String },
    #[error("Canvas sent an answer Taskbell cannot read: {0}")]
    BadResponse(String),
    /// Canvas said it made the task, but not under which id: the task exists, so it must be
    /// looked for, never sent again blindly.
    #[error("Canvas made the task but did not say its id ({0}); Taskbell will look for it")]
    UnreadCreation(String),
    #[error("{0}")]
    Config(String),
}

fn retry_hint(d: &Option<Duration>) -> String {
    d.map(|d| format!(" (retry after {} s)", d.as_secs()))
        .unwrap_or_default()
}

impl CanvasError {
    pub fn status(&self) -> Option<u16> {
        match self {
            CanvasError::Outcome { status, .. } => Some(*status),
            CanvasError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// A create that Canvas accepted without a readable id.
    pub fn is_unread_creation(&self) -> bool {
        matches!(self, CanvasError::UnreadCreation(_))
    }

    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// True when nothing reached Canvas, or Canvas said to come back: the same request may be
    /// sent again later without risk.
    pub fn is_transient(&self) -> bool {
        match self {
            CanvasError::Unreachable { .. } | CanvasError::RateLimited { .. } => true,
            CanvasError::Outcome { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// Builds the error for a non-2xx answer, reading an `OperationOutcome` when there is one.
    pub(crate) fn from_answer(status: u16, body: &[u8]) -> Self {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        let (code, text) = parsed
            .as_ref()
            .and_then(outcome_text)
            .unwrap_or_else(|| (default_code(status).to_string(), plain_text(status, body)));
        CanvasError::Outcome { status, code, text }
    }
}

/// `issue[].code` of the first issue and every `details.text` (or `diagnostics`) joined.
fn outcome_text(v: &Value) -> Option<(String, String)> {
    if v.get("resourceType")?.as_str()? != "OperationOutcome" {
        return None;
    }
    let issues = v.get("issue")?.as_array()?;
    let code = issues
        .first()
        .and_then(|i| i.get("code"))
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    let texts: Vec<&str> = issues
        .iter()
        .filter_map(|i| {
            i.pointer("/details/text")
                .or_else(|| i.get("diagnostics"))
                .and_then(Value::as_str)
        })
        .collect();
    let text = if texts.is_empty() {
        "no details given".to_string()
    } else {
        texts.join("; ")
    };
    Some((code.to_string(), text))
}

fn default_code(status: u16) -> &'static str {
    match status {
        400 => "invalid",
        401 => "unknown",
        403 => "forbidden",
        404 => "not-found",
        405 => "not-supported",
        412 => "conflict",
        422 => "business-rule",
        _ => "exception",
    }
}

fn plain_text(status: u16, body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let s = s.trim();
    if s.is_empty() || s.starts_with('<') {
        format!("HTTP {status} with no explanation")
    } else {
        s.chars().take(300).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_outcome_text_is_kept() {
        let body = br#"{"resourceType":"OperationOutcome","issue":[
            {"severity":"error","code":"invalid","details":{"text":"description is required"}},
            {"severity":"error","code":"invalid","diagnostics":"requester is required"}]}"#;
        let e = CanvasError::from_answer(400, body);
        assert_eq!(
            e.to_string(),
            "Canvas answered 400 (invalid): description is required; requester is required"
        );
        assert!(!e.is_transient());
    }

    #[test]
    fn non_outcome_answers_still_say_something() {
        let e = CanvasError::from_answer(502, b"<html>bad gateway</html>");
        assert_eq!(
            e.to_string(),
            "Canvas answered 502 (exception): HTTP 502 with no explanation"
        );
        assert!(e.is_transient());
        assert!(CanvasError::from_answer(404, b"").is_not_found());
    }
}

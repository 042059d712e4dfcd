//! One FHIR call with Canvas's rules: a bearer token renewed once on a 401, 429 and 5xx retried
//! with jittered backoff honouring `Retry-After` (capped: see [`crate::backoff`]), and every
//! exchange bounded in time.
//!
//! A request that is not idempotent (a create, a comment) is only sent again when Canvas cannot
//! have acted on it: it never left, or Canvas answered 429 or 503.

use super::token::TokenCache;
use super::{CanvasConfig, CanvasError};
use crate::backoff::{self, Backoff};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER,
};
use reqwest::Method;
use serde_json::Value;
use std::time::{Duration, SystemTime};
use tokio::time::Instant;
use url::Url;

pub(crate) struct Call {
    pub method: Method,
    pub url: Url,
    pub body: Option<Value>,
    pub headers: Vec<(HeaderName, String)>,
    pub idempotent: bool,
}

impl Call {
    pub fn get(url: Url) -> Self {
        Call {
            method: Method::GET,
            url,
            body: None,
            headers: Vec::new(),
            idempotent: true,
        }
    }
}

pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Result<Value, CanvasError> {
        serde_json::from_slice(&self.body)
            .map_err(|e| CanvasError::BadResponse(format!("the answer is not JSON ({e})")))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

enum Step {
    Done(Answer),
    Retry(Option<Duration>, CanvasError),
    Fail(CanvasError),
}

pub(crate) async fn send(
    http: &reqwest::Client,
    cfg: &CanvasConfig,
    tokens: &TokenCache,
    call: &Call,
) -> Result<Answer, CanvasError> {
    let deadline = after_now(cfg.call_timeout);
    let mut renewed_token = false;
    let mut retries = 0;
    loop {
        let step = match tokens.get(http, cfg).await {
            Err(e) if e.is_transient() => Step::Retry(None, e),
            Err(e) => Step::Fail(e),
            Ok(token) => match exchange(http, cfg, call, &token, deadline).await {
                Ok(a) if a.status == 401 && !renewed_token => {
                    renewed_token = true;
                    tokens.invalidate(&token).await;
                    continue;
                }
                Ok(a) => judge(a, call.idempotent),
                Err(e) if e.is_transient() => Step::Retry(None, e),
                Err(e) => Step::Fail(e),
            },
        };
        match step {
            Step::Done(a) => return Ok(a),
            Step::Fail(e) => return Err(e),
            Step::Retry(after, e) => {
                if retries >= cfg.max_retries {
                    return Err(e);
                }
                let wait = schedule(cfg).delay_or(retries, after);
                if after_now(wait) >= deadline {
                    return Err(e);
                }
                tracing::debug!(url = %call.url, retry = retries + 1, ?wait, "retrying Canvas call: {e}");
                tokio::time::sleep(wait).await;
                retries += 1;
            }
        }
    }
}

fn judge(a: Answer, idempotent: bool) -> Step {
    match a.status {
        200..=299 => Step::Done(a),
        429 => {
            let after = retry_after(&a.headers);
            Step::Retry(after, CanvasError::RateLimited { retry_after: after })
        }
        // 503 means the request was not processed; other 5xx may have been, so only an
        // idempotent call is sent again.
        503 => Step::Retry(
            retry_after(&a.headers),
            CanvasError::from_answer(a.status, &a.body),
        ),
        500..=599 if idempotent => Step::Retry(None, CanvasError::from_answer(a.status, &a.body)),
        401 => Step::Fail(CanvasError::Auth(
            CanvasError::from_answer(a.status, &a.body).to_string(),
        )),
        _ => Step::Fail(CanvasError::from_answer(a.status, &a.body)),
    }
}

async fn exchange(
    http: &reqwest::Client,
    cfg: &CanvasConfig,
    call: &Call,
    token: &str,
    deadline: Instant,
) -> Result<Answer, CanvasError> {
    let mut req = http
        .request(call.method.clone(), call.url.clone())
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(
            cfg.request_timeout
                .min(deadline.saturating_duration_since(Instant::now())),
        );
    for (name, value) in &call.headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            req = req.header(name.clone(), v);
        }
    }
    if let Some(body) = &call.body {
        req = req
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
    }
    let resp = req.send().await.map_err(|e| network_error(&call.url, e))?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp
        .bytes()
        .await
        .map_err(|e| network_error(&call.url, e))?
        .to_vec();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Separates "never sent" (safe to repeat) from "sent, no answer" (Canvas may have acted).
pub(crate) fn network_error(url: &Url, e: reqwest::Error) -> CanvasError {
    let host = url.host_str().unwrap_or("?").to_string();
    if e.is_connect() {
        CanvasError::Unreachable {
            host,
            detail: root_cause(&e),
        }
    } else if e.is_timeout() {
        CanvasError::Ambiguous {
            detail: "timed out waiting for the answer".into(),
        }
    } else if e.is_request() || e.is_body() || e.is_decode() {
        CanvasError::Ambiguous {
            detail: root_cause(&e),
        }
    } else {
        CanvasError::Unreachable {
            host,
            detail: root_cause(&e),
        }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn schedule(cfg: &CanvasConfig) -> Backoff {
    Backoff::new(cfg.backoff_base, cfg.backoff_cap)
}

/// `now + d`, or a year from now when that is past what the clock can hold.
fn after_now(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 3600))
}

/// `Retry-After` as seconds or as an HTTP date, capped at an hour.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    backoff::retry_after(headers.get(RETRY_AFTER)?.to_str().ok()?, SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        let later = SystemTime::now() + Duration::from_secs(120);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).expect("ascii"),
        );
        let d = retry_after(&h).expect("date parsed");
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn a_huge_retry_after_is_an_hour_and_fits_any_deadline_sum() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("99999999999999"));
        let capped = retry_after(&h).expect("read");
        assert_eq!(capped, backoff::RETRY_AFTER_CAP);
        assert!(after_now(capped) > Instant::now());
        assert!(
            after_now(Duration::MAX) > Instant::now(),
            "no overflow on a nonsensical timeout"
        );
    }

    #[test]
    fn non_idempotent_calls_are_not_resent_after_a_500() {
        let answer = |status| Answer {
            status,
            headers: HeaderMap::new(),
            body: Vec::new(),
        };
        assert!(matches!(judge(answer(500), false), Step::Fail(_)));
        assert!(matches!(judge(answer(500), true), Step::Retry(..)));
        assert!(matches!(judge(answer(503), false), Step::Retry(..)));
        assert!(matches!(judge(answer(429), false), Step::Retry(..)));
        assert!(matches!(judge(answer(404), true), Step::Fail(_)));
    }
}

//! The OAuth client-credentials token, cached until shortly before it expires. Canvas issues no
//! refresh token, so renewing means asking again.

use super::{CanvasConfig, CanvasError};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Clone)]
struct Token {
    value: Arc<str>,
    renew_at: Instant,
}

#[derive(Default)]
pub(crate) struct TokenCache {
    // A tokio mutex so that concurrent calls wait for one fetch instead of each fetching.
    current: Mutex<Option<Token>>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    /// Read loosely: a server's odd number must not cost the token (see [`lifetime`]).
    #[serde(default)]
    expires_in: Option<Value>,
}

/// When the server does not say: Canvas's own default.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// A day: longer is not a lifetime anyone means, and would overflow the clock if huge.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// For a lifetime that makes no sense (negative, zero, not a number): renew soon rather than
/// trust it, without renewing on every call.
const SHORT_LIFETIME: Duration = Duration::from_secs(60);

impl TokenCache {
    pub async fn get(
        &self,
        http: &reqwest::Client,
        cfg: &CanvasConfig,
    ) -> Result<Arc<str>, CanvasError> {
        let mut current = self.current.lock().await;
        if let Some(t) = current.as_ref().filter(|t| Instant::now() < t.renew_at) {
            return Ok(t.value.clone());
        }
        let token = fetch(http, cfg).await?;
        let value = token.value.clone();
        *current = Some(token);
        Ok(value)
    }

    /// Forgets `used` after Canvas refused it; a token renewed meanwhile by another call is kept.
    pub async fn invalidate(&self, used: &str) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|t| &*t.value == used) {
            *current = None;
        }
    }
}

async fn fetch(http: &reqwest::Client, cfg: &CanvasConfig) -> Result<Token, CanvasError> {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", cfg.client_id.as_str()),
        ("client_secret", cfg.client_secret.as_str()),
    ];
    let answer = http
        .post(cfg.token_url.clone())
        .form(&form)
        .timeout(cfg.request_timeout)
        .send()
        .await
        .map_err(|e| super::http::network_error(&cfg.token_url, e))?;
    let status = answer.status().as_u16();
    let body = answer
        .bytes()
        .await
        .map_err(|e| super::http::network_error(&cfg.token_url, e))?;
    match status {
        200..=299 => {}
        400 | 401 | 403 => return Err(CanvasError::Auth(auth_reason(&body))),
        429 => return Err(CanvasError::RateLimited { retry_after: None }),
        _ => return Err(CanvasError::from_answer(status, &body)),
    }
    let parsed: TokenAnswer = serde_json::from_slice(&body).map_err(|e| {
        CanvasError::BadResponse(format!("the token answer has no access_token ({e})"))
    })?;
    let lifetime = lifetime(parsed.expires_in.as_ref());
    let now = Instant::now();
    // The lifetime is capped, so this only falls back on a clock at the end of its range.
    let renew_at = now
        .checked_add(lifetime - renew_margin(lifetime))
        .unwrap_or(now);
    Ok(Token {
        value: parsed.access_token.into(),
        renew_at,
    })
}

/// `expires_in` as a lifetime: whole seconds up to a day; a positive fraction is rounded down;
/// a number given as a string is read as one. Anything else is a short lifetime.
fn lifetime(expires_in: Option<&Value>) -> Duration {
    let secs = match expires_in {
        None | Some(Value::Null) => return DEFAULT_LIFETIME,
        Some(Value::Number(n)) => n.as_u64().or_else(|| n.as_f64().and_then(positive_secs)),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok().and_then(positive_secs),
        Some(_) => None,
    };
    match secs {
        Some(secs) if secs > 0 => Duration::from_secs(secs).min(MAX_LIFETIME),
        _ => SHORT_LIFETIME,
    }
}

/// Whole seconds of a positive finite number, saturating (an `as` cast would wrap NaN to 0).
fn positive_secs(f: f64) -> Option<u64> {
    (f.is_finite() && f >= 1.0).then(|| f.min(u64::MAX as f64) as u64)
}

/// Renew a tenth of the lifetime early, at most five minutes, so a call never starts with a
/// token about to lapse.
fn renew_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(300))
}

fn auth_reason(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct OAuthError {
        error: Option<String>,
        error_description: Option<String>,
    }
    match serde_json::from_slice::<OAuthError>(body) {
        Ok(OAuthError {
            error_description: Some(d),
            ..
        }) => d,
        Ok(OAuthError { error: Some(e), .. }) => e,
        _ => "the token endpoint said no".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_is_a_tenth_capped_at_five_minutes() {
        assert_eq!(
            renew_margin(Duration::from_secs(36_000)),
            Duration::from_secs(300)
        );
        assert_eq!(
            renew_margin(Duration::from_secs(60)),
            Duration::from_secs(6)
        );
    }

    #[test]
    fn lifetimes_are_capped_and_nonsense_is_short() {
        let of = |v: Value| lifetime(Some(&v));
        assert_eq!(lifetime(None), DEFAULT_LIFETIME);
        assert_eq!(of(Value::Null), DEFAULT_LIFETIME);
        assert_eq!(of(serde_json::json!(600)), Duration::from_secs(600));
        assert_eq!(of(serde_json::json!(u64::MAX)), MAX_LIFETIME);
        assert_eq!(of(serde_json::json!(1e300)), MAX_LIFETIME);
        assert_eq!(of(serde_json::json!(599.9)), Duration::from_secs(599));
        assert_eq!(of(serde_json::json!("3600")), Duration::from_secs(3600));
        for nonsense in [
            serde_json::json!(-1),
            serde_json::json!(0),
            serde_json::json!(0.5),
            serde_json::json!("soon"),
            serde_json::json!("NaN"),
            serde_json::json!("-inf"),
            serde_json::json!([1]),
            serde_json::json!({}),
            serde_json::json!(true),
        ] {
            assert_eq!(of(nonsense.clone()), SHORT_LIFETIME, "{nonsense}");
        }
    }

    #[test]
    fn oauth_errors_are_worded() {
        assert_eq!(
            auth_reason(br#"{"error":"invalid_client"}"#),
            "invalid_client"
        );
        assert_eq!(
            auth_reason(br#"{"error":"x","error_description":"bad secret"}"#),
            "bad secret"
        );
        assert_eq!(auth_reason(b"nope"), "the token endpoint said no");
    }
}

//! OAuth2 client credentials as Canvas does it: `POST /auth/token/` hands out bearer tokens
//! with a lifetime and no refresh token; FHIR calls must carry a live one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde_json::json;

use crate::knobs::TokenRequest;
use crate::outcome::Outcome;
use crate::state::AppState;

/// User-level scopes in HL7's clinical scope syntax: customer-authentication.md says Canvas
/// works on a user level and points at SMART's user-level scopes.
const SCOPE: &str = "user/Task.read user/Task.write user/Patient.read \
                     user/Practitioner.read user/Group.read";

struct Issued {
    epoch: u64,
    expires: Instant,
}

#[derive(Default)]
pub(crate) struct TokenBook {
    tokens: Mutex<HashMap<String, Issued>>,
}

impl TokenBook {
    fn issue(&self, epoch: u64, lifetime: Duration) -> String {
        let token: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(40)
            .map(char::from)
            .collect();
        let now = Instant::now();
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens.retain(|_, t| t.expires > now);
        tokens.insert(
            token.clone(),
            Issued {
                epoch,
                expires: now + lifetime,
            },
        );
        token
    }

    fn is_valid(&self, token: &str, epoch: u64) -> bool {
        let tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens
            .get(token)
            .is_some_and(|t| t.epoch == epoch && t.expires > Instant::now())
    }
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    (status, Json(json!({"error": error}))).into_response()
}

/// Client credentials from an HTTP Basic header, which OAuth2 allows instead of the form.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

pub(crate) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    tokio::time::sleep(state.knobs().latency()).await;
    let fields: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    state.knobs().record_token_request(TokenRequest {
        content_type,
        fields: fields.clone(),
    });
    let form: HashMap<String, String> = fields.into_iter().collect();
    match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") => {}
        Some(_) => return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
        None => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request"),
    }
    let (id, secret) = match (form.get("client_id"), form.get("client_secret")) {
        (Some(id), Some(secret)) => (id.clone(), secret.clone()),
        _ => match basic_credentials(&headers) {
            Some(pair) => pair,
            None => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client"),
        },
    };
    let config = state.config();
    if id != config.client_id || secret != config.client_secret {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
    }
    let lifetime = config.token_lifetime;
    let access_token = state.tokens().issue(state.knobs().token_epoch(), lifetime);
    state.knobs().count_token();
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
        "scope": SCOPE,
    }))
    .into_response()
}

/// The bearer check every FHIR request passes through.
pub(crate) fn check_bearer(state: &AppState, headers: &HeaderMap) -> Result<(), Outcome> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(Outcome::unknown(
            "Authentication credentials were not provided.",
        ));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    match token {
        Some(t) if state.tokens().is_valid(t, state.knobs().token_epoch()) => Ok(()),
        Some(_) => Err(Outcome::unknown("Invalid or expired token.")),
        None => Err(Outcome::unknown(
            "Authorization header must be 'Bearer <token>'.",
        )),
    }
}

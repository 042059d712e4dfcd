//! Who may deliver to the webhook endpoint: a Standard Webhooks signature, a bearer token, or
//! either when both are configured, checked before the body is even parsed.
//!
//! Apart from the handlers because this is the part a tunnel exposes to anyone who finds its
//! URL: it is read and tested on its own, and it owns the two secrets the endpoint holds.

use super::reply::Reply;
use super::{WebhookConfig, WebhookError};
use crate::inbox::signature::{SignatureError, Signed, SigningKey};
use crate::inbox::sink::Sink;
use axum::http::{header, HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// The clock a signature's timestamp is held against: the sender's is Canvas's, so Canvas's as
/// its latest answer gave it, when there is one; a desktop clock minutes off must not turn every
/// delivery away. Else the desktop's.
pub(super) fn signing_clock(sink: &dyn Sink) -> i64 {
    sink.canvas_now()
        .unwrap_or_else(|| sink.desktop_now())
        .unix_timestamp()
}

/// Which credentials the endpoint takes: exactly the ones configured. Every credential a request
/// presents that the endpoint knows is checked, and at least one must be presented.
pub(super) struct Auth {
    key: Option<SigningKey>,
    bearer: Option<BearerToken>,
    tolerance: Duration,
}

impl Auth {
    pub(super) fn from_config(config: &WebhookConfig) -> Result<Auth, WebhookError> {
        Ok(Auth {
            key: config
                .secret
                .as_deref()
                .map(SigningKey::from_secret)
                .transpose()?,
            bearer: config.bearer.as_deref().map(BearerToken::new).transpose()?,
            tolerance: config.tolerance,
        })
    }

    pub(super) fn check(&self, headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), Reply> {
        if self.key.is_none() && self.bearer.is_none() {
            return Err(unauthorized(
                "nothing is configured to authenticate webhooks (no signing secret, no bearer token), so every delivery is refused",
            ));
        }
        let mut passed = false;
        if let Some(expected) = &self.bearer {
            match bearer_of(headers) {
                Some(token) if expected.matches(token) => passed = true,
                Some(_) => return Err(unauthorized("the bearer token does not match")),
                None => {}
            }
        }
        if let Some(key) = &self.key {
            if Signed::attempted(headers) || self.bearer.is_none() {
                let signed = Signed::from_headers(headers).map_err(signature_reply)?;
                key.verify(&signed, body, now, self.tolerance)
                    .map_err(signature_reply)?;
                passed = true;
            }
        }
        match (passed, &self.key) {
            (true, _) => Ok(()),
            (false, Some(_)) => Err(unauthorized(
                "expected a Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature) or Authorization: Bearer <token>",
            )),
            (false, None) => Err(unauthorized("missing Authorization: Bearer <token>")),
        }
    }
}

fn unauthorized(reason: &str) -> Reply {
    Reply::new(StatusCode::UNAUTHORIZED, reason)
}

fn signature_reply(e: SignatureError) -> Reply {
    let status = if e.is_unauthenticated() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::BAD_REQUEST
    };
    Reply::new(status, e.to_string())
}

/// The token of `Authorization: Bearer <token>`; a header of another form counts as a wrong
/// token, not a missing one, so the sender hears what is wrong.
fn bearer_of(headers: &HeaderMap) -> Option<&[u8]> {
    let value = headers.get(header::AUTHORIZATION)?.as_bytes();
    let token = value
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case(b"bearer "))
        .and_then(|_| value.get(7..))
        .unwrap_or(b"");
    Some(token.trim_ascii())
}

/// The configured bearer token, kept as a MAC under a random key so a comparison takes the same
/// time whatever the guess and reveals neither its content nor its length.
struct BearerToken {
    key: [u8; 32],
    tag: Vec<u8>,
}

impl BearerToken {
    fn new(token: &str) -> Result<Self, WebhookError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(WebhookError::EmptyBearer);
        }
        let key: [u8; 32] = rand::random();
        let tag = Self::mac(&key, token.as_bytes())
            .finalize()
            .into_bytes()
            .to_vec();
        Ok(BearerToken { key, tag })
    }

    fn mac(key: &[u8; 32], token: &[u8]) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(token);
        mac
    }

    fn matches(&self, presented: &[u8]) -> bool {
        !presented.is_empty()
            && Self::mac(&self.key, presented)
                .verify_slice(&self.tag)
                .is_ok()
    }
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
    fn bearer_tokens_compare_by_value_only() {
        let t = BearerToken::new("s3cret").expect("token");
        assert!(t.matches(b"s3cret"));
        assert!(!t.matches(b"s3cre"));
        assert!(!t.matches(b"s3crett"));
        assert!(!t.matches(b""));
        assert!(matches!(
            BearerToken::new("  "),
            Err(WebhookError::EmptyBearer)
        ));
    }

    #[test]
    fn bearer_header_forms() {
        assert_eq!(
            bearer_of(&headers(&[("authorization", "Bearer abc")])),
            Some(&b"abc"[..])
        );
        assert_eq!(
            bearer_of(&headers(&[("authorization", "bearer  abc ")])),
            Some(&b"abc"[..])
        );
        assert_eq!(
            bearer_of(&headers(&[("authorization", "Basic abc")])),
            Some(&b""[..])
        );
        assert_eq!(bearer_of(&HeaderMap::new()), None);
    }
}

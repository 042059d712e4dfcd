//! Standard Webhooks signatures (standardwebhooks.com): how the companion plugin signs what it
//! sends, and how the endpoint tells a genuine delivery from a forged or replayed one.
//!
//! The signed content is `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the bytes of the
//! base64 secret after `whsec_`, HMAC-SHA256, base64. The signature header may carry several
//! space-separated `v1,<sig>` entries (a sender rotating its secret signs with both keys).

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::time::Duration;

pub const ID_HEADER: &str = "webhook-id";
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
pub const SIGNATURE_HEADER: &str = "webhook-signature";

/// How far a timestamp may be from our clock, either way. The spec's reference libraries use
/// five minutes; a sender's retries reuse the first attempt's timestamp, so a smaller window
/// would turn slow retries into rejections.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the request has no {0} header")]
    MissingHeader(&'static str),
    #[error(
        "the webhook-signature header matches no v1 signature made with the configured secret"
    )]
    BadSignature,
    #[error("the webhook-timestamp header is not a Unix time in seconds")]
    BadTimestamp,
    #[error("the webhook-timestamp is {age_secs} s old, more than the {tolerance_secs} s allowed")]
    Stale { age_secs: i64, tolerance_secs: u64 },
    #[error("the webhook-timestamp is {ahead_secs} s in the future, more than the {tolerance_secs} s allowed")]
    Future {
        ahead_secs: i64,
        tolerance_secs: u64,
    },
    #[error("the webhook signing secret is not valid: {0}")]
    MalformedSecret(&'static str),
}

impl SignatureError {
    /// Whether the sender failed to prove who it is (as opposed to proving it, late).
    pub fn is_unauthenticated(&self) -> bool {
        matches!(
            self,
            SignatureError::MissingHeader(_) | SignatureError::BadSignature
        )
    }
}

/// The decoded signing key. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct SigningKey {
    key: Vec<u8>,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

impl SigningKey {
    /// Parses `whsec_<base64>`, or the bare base64 some senders show instead.
    pub fn from_secret(secret: &str) -> Result<SigningKey, SignatureError> {
        let secret = secret.trim();
        let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
        if encoded.is_empty() {
            return Err(SignatureError::MalformedSecret("it is empty"));
        }
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| SignatureError::MalformedSecret("expected whsec_ followed by base64"))?;
        if key.is_empty() {
            return Err(SignatureError::MalformedSecret("it is empty"));
        }
        Ok(SigningKey { key })
    }

    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }

    /// The `v1,<base64>` header entry for this delivery.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = self
            .mac(id, &timestamp.to_string(), body)
            .finalize()
            .into_bytes();
        format!("v1,{}", STANDARD.encode(tag))
    }

    /// The three Standard Webhooks headers for a delivery sent now, for senders (the CLI's
    /// tests, the benchmark).
    pub fn headers(&self, id: &str, body: &[u8]) -> [(&'static str, String); 3] {
        let ts = time::OffsetDateTime::now_utc().unix_timestamp();
        [
            (ID_HEADER, id.to_string()),
            (TIMESTAMP_HEADER, ts.to_string()),
            (SIGNATURE_HEADER, self.sign(id, ts, body)),
        ]
    }

    /// Checks the signature first and the timestamp second, so only a sender that holds the
    /// secret learns that its clock (or its retry) is off.
    pub fn verify(
        &self,
        headers: &Signed<'_>,
        body: &[u8],
        now: i64,
        tolerance: Duration,
    ) -> Result<(), SignatureError> {
        let expected = self.mac(headers.id, headers.timestamp, body);
        let matched = headers
            .signature
            .split_whitespace()
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .filter_map(|sig| STANDARD.decode(sig).ok())
            // verify_slice compares in constant time.
            .any(|sig| expected.clone().verify_slice(&sig).is_ok());
        if !matched {
            return Err(SignatureError::BadSignature);
        }
        let sent: i64 = headers
            .timestamp
            .trim()
            .parse()
            .map_err(|_| SignatureError::BadTimestamp)?;
        check_timestamp(sent, now, tolerance)
    }
}

/// The three Standard Webhooks headers of one delivery, as sent.
#[derive(Debug, Clone, Copy)]
pub struct Signed<'a> {
    pub id: &'a str,
    pub timestamp: &'a str,
    pub signature: &'a str,
}

impl<'a> Signed<'a> {
    pub fn from_headers(headers: &'a HeaderMap) -> Result<Signed<'a>, SignatureError> {
        let get = |name: &'static str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.trim().is_empty())
                .ok_or(SignatureError::MissingHeader(name))
        };
        Ok(Signed {
            id: get(ID_HEADER)?,
            timestamp: get(TIMESTAMP_HEADER)?,
            signature: get(SIGNATURE_HEADER)?,
        })
    }

    /// Whether the request carries any of the headers, i.e. tries to authenticate this way.
    pub fn attempted(headers: &HeaderMap) -> bool {
        [ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER]
            .iter()
            .any(|h| headers.contains_key(*h))
    }
}

fn check_timestamp(sent: i64, now: i64, tolerance: Duration) -> Result<(), SignatureError> {
    let tolerance_secs = tolerance.as_secs();
    let limit = i64::try_from(tolerance_secs).unwrap_or(i64::MAX);
    let age = now.saturating_sub(sent);
    if age > limit {
        return Err(SignatureError::Stale {
            age_secs: age,
            tolerance_secs,
        });
    }
    if -age > limit {
        return Err(SignatureError::Future {
            ahead_secs: -age,
            tolerance_secs,
        });
    }
    Ok(())
}

/// Signs a delivery with `secret` (`whsec_…` or bare base64): the `webhook-signature` value.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, SignatureError> {
    Ok(SigningKey::from_secret(secret)?.sign(id, timestamp, body))
}

/// Verifies a request's Standard Webhooks headers against `secret` at time `now` (Unix seconds).
pub fn verify(
    secret: &str,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let key = SigningKey::from_secret(secret)?;
    key.verify(&Signed::from_headers(headers)?, body, now, tolerance)
}

/// Now, in Unix seconds, the clock [`verify`] is given outside tests.
pub fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn timestamps_inside_the_window_pass_either_way() {
        let t = DEFAULT_TOLERANCE;
        assert_eq!(check_timestamp(1000, 1300, t), Ok(()));
        assert_eq!(check_timestamp(1300, 1000, t), Ok(()));
        assert_eq!(
            check_timestamp(1000, 1301, t),
            Err(SignatureError::Stale {
                age_secs: 301,
                tolerance_secs: 300
            })
        );
        assert_eq!(
            check_timestamp(1301, 1000, t),
            Err(SignatureError::Future {
                ahead_secs: 301,
                tolerance_secs: 300
            })
        );
        assert!(check_timestamp(i64::MIN, i64::MAX, t).is_err());
    }

    #[test]
    fn bare_base64_and_prefixed_secrets_give_the_same_key() {
        let a = sign(SECRET, "id", 1, b"{}").expect("prefixed");
        let b = sign(&SECRET["whsec_".len()..], "id", 1, b"{}").expect("bare");
        assert_eq!(a, b);
    }

    #[test]
    fn malformed_secrets_are_refused() {
        for bad in ["", "whsec_", "whsec_not base64!", "whsec_====", "   "] {
            assert!(
                matches!(
                    SigningKey::from_secret(bad),
                    Err(SignatureError::MalformedSecret(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn debug_output_hides_the_key() {
        let key = SigningKey::from_secret(SECRET).expect("valid");
        assert_eq!(format!("{key:?}"), "SigningKey(..)");
    }
}

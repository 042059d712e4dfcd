//! Standard Webhooks verification: the spec's published test vector (a round trip through our
//! own signer would pass with the delimiter, the base64 alphabet or the key decoding all wrong),
//! then every way a delivery can fail, then a replay over real HTTP.

use axum::http::{HeaderMap, HeaderValue};
use std::sync::Arc;
use std::time::Duration;
use taskbell_core::inbox::signature::{
    self, SignatureError, Signed, SigningKey, DEFAULT_TOLERANCE,
};
use taskbell_core::inbox::sink::MemorySink;
use taskbell_core::inbox::webhook::{self, WebhookConfig};
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::Engine;

// The Standard Webhooks specification's test vector (also in the svix libraries' tests).
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP: i64 = 1614265330;
const BODY: &[u8] = br#"{"test": 2432232314}"#;
const EXPECTED: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

fn headers(id: &str, timestamp: &str, signature: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("webhook-id", HeaderValue::from_str(id).expect("id"));
    h.insert(
        "webhook-timestamp",
        HeaderValue::from_str(timestamp).expect("timestamp"),
    );
    h.insert(
        "webhook-signature",
        HeaderValue::from_str(signature).expect("signature"),
    );
    h
}

fn check(h: &HeaderMap, body: &[u8], now: i64) -> Result<(), SignatureError> {
    signature::verify(SECRET, h, body, now, DEFAULT_TOLERANCE)
}

fn vector() -> HeaderMap {
    headers(ID, &TIMESTAMP.to_string(), EXPECTED)
}

#[test]
fn the_published_test_vector_signs_and_verifies() {
    assert_eq!(
        signature::sign(SECRET, ID, TIMESTAMP, BODY).expect("sign"),
        EXPECTED
    );
    assert_eq!(check(&vector(), BODY, TIMESTAMP), Ok(()));
    // The same key given as bare base64.
    let bare = &SECRET["whsec_".len()..];
    assert_eq!(
        signature::sign(bare, ID, TIMESTAMP, BODY).expect("sign"),
        EXPECTED
    );
    assert_eq!(
        signature::verify(bare, &vector(), BODY, TIMESTAMP, DEFAULT_TOLERANCE),
        Ok(())
    );
}

#[test]
fn a_tampered_body_fails() {
    assert_eq!(
        check(&vector(), br#"{"test": 2432232315}"#, TIMESTAMP),
        Err(SignatureError::BadSignature)
    );
    assert_eq!(
        check(&vector(), br#"{"test":2432232314}"#, TIMESTAMP),
        Err(SignatureError::BadSignature)
    );
}

#[test]
fn a_tampered_id_or_timestamp_fails() {
    let other_id = headers("msg_other", &TIMESTAMP.to_string(), EXPECTED);
    assert_eq!(
        check(&other_id, BODY, TIMESTAMP),
        Err(SignatureError::BadSignature)
    );
    let other_time = headers(ID, &(TIMESTAMP + 1).to_string(), EXPECTED);
    assert_eq!(
        check(&other_time, BODY, TIMESTAMP),
        Err(SignatureError::BadSignature)
    );
}

#[test]
fn a_wrong_secret_fails() {
    let wrong = "whsec_bm90IHRoZSBzZWNyZXQgeW91IGFyZSBsb29raW5nIGZvcg==";
    assert_eq!(
        signature::verify(wrong, &vector(), BODY, TIMESTAMP, DEFAULT_TOLERANCE),
        Err(SignatureError::BadSignature)
    );
}

#[test]
fn stale_and_future_timestamps_fail_outside_the_tolerance_only() {
    assert_eq!(check(&vector(), BODY, TIMESTAMP + 300), Ok(()));
    assert_eq!(check(&vector(), BODY, TIMESTAMP - 300), Ok(()));
    assert_eq!(
        check(&vector(), BODY, TIMESTAMP + 301),
        Err(SignatureError::Stale {
            age_secs: 301,
            tolerance_secs: 300
        })
    );
    assert_eq!(
        check(&vector(), BODY, TIMESTAMP - 301),
        Err(SignatureError::Future {
            ahead_secs: 301,
            tolerance_secs: 300
        })
    );
    // The tolerance is the caller's to choose.
    let wide = Duration::from_secs(3600);
    assert_eq!(
        signature::verify(SECRET, &vector(), BODY, TIMESTAMP + 3000, wide),
        Ok(())
    );
    assert!(!SignatureError::Stale {
        age_secs: 1,
        tolerance_secs: 0
    }
    .is_unauthenticated());
}

#[test]
fn a_forged_signature_is_refused_before_its_timestamp_is_judged() {
    // A stranger learns "bad signature", not that the clock is the problem.
    let forged = headers(ID, &TIMESTAMP.to_string(), "v1,bm9wZQ==");
    assert_eq!(
        check(&forged, BODY, TIMESTAMP + 10_000),
        Err(SignatureError::BadSignature)
    );
}

#[test]
fn a_timestamp_that_is_not_a_number_is_refused() {
    use base64::Engine as _;
    use hmac::Mac;
    // Signed as sent, so only the timestamp's form is wrong.
    let key = base64::engine::general_purpose::STANDARD
        .decode(&SECRET["whsec_".len()..])
        .expect("key");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).expect("mac");
    mac.update(format!("{ID}.yesterday.").as_bytes());
    mac.update(BODY);
    let sig = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    assert_eq!(
        check(&headers(ID, "yesterday", &sig), BODY, TIMESTAMP),
        Err(SignatureError::BadTimestamp)
    );
    assert!(!SignatureError::BadTimestamp.is_unauthenticated());
    // Our own signer agrees with the hand-made MAC on the number form.
    let key = SigningKey::from_secret(SECRET).expect("key");
    assert_eq!(key.sign(ID, TIMESTAMP, BODY), EXPECTED);
}

#[test]
fn several_signatures_pass_when_one_v1_matches() {
    let several = format!(
        "v1,bm9wZQ== v2,{} v1,!!notbase64!! {EXPECTED} v1a,xyz",
        &EXPECTED[3..]
    );
    assert_eq!(
        check(
            &headers(ID, &TIMESTAMP.to_string(), &several),
            BODY,
            TIMESTAMP
        ),
        Ok(())
    );
    let first = format!("{EXPECTED} v1,bm9wZQ==");
    assert_eq!(
        check(
            &headers(ID, &TIMESTAMP.to_string(), &first),
            BODY,
            TIMESTAMP
        ),
        Ok(())
    );
}

#[test]
fn several_signatures_fail_when_none_matches() {
    let none = "v1,bm9wZQ== v1,Zm9vYmFy v1,";
    assert_eq!(
        check(&headers(ID, &TIMESTAMP.to_string(), none), BODY, TIMESTAMP),
        Err(SignatureError::BadSignature)
    );
    // The right signature under another version is not a v1 signature.
    let other_version = format!("v2,{} v1a,{}", &EXPECTED[3..], &EXPECTED[3..]);
    assert_eq!(
        check(
            &headers(ID, &TIMESTAMP.to_string(), &other_version),
            BODY,
            TIMESTAMP
        ),
        Err(SignatureError::BadSignature)
    );
}

#[test]
fn missing_headers_are_named() {
    for missing in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let mut h = vector();
        h.remove(missing);
        assert!(Signed::attempted(&h));
        assert_eq!(
            check(&h, BODY, TIMESTAMP),
            Err(SignatureError::MissingHeader(missing))
        );
        assert!(SignatureError::MissingHeader(missing).is_unauthenticated());
    }
    assert!(!Signed::attempted(&HeaderMap::new()));
}

#[test]
fn malformed_secrets_are_an_error_of_their_own() {
    for bad in ["whsec_", "whsec_***", "not base64 at all"] {
        assert!(
            matches!(
                signature::sign(bad, ID, TIMESTAMP, BODY),
                Err(SignatureError::MalformedSecret(_))
            ),
            "{bad}"
        );
        assert!(
            matches!(
                signature::verify(bad, &vector(), BODY, TIMESTAMP, DEFAULT_TOLERANCE),
                Err(SignatureError::MalformedSecret(_))
            ),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn the_endpoint_refuses_to_start_with_a_malformed_secret() {
    let mut config = WebhookConfig::new("test-clinic");
    config.port = 0;
    config.secret = Some("whsec_***".into());
    let err = webhook::start(config, MemorySink::new())
        .await
        .err()
        .expect("refused");
    assert!(
        err.to_string()
            .starts_with("the webhook signing secret is not valid"),
        "{err}"
    );
}

#[tokio::test]
async fn a_replayed_signed_delivery_is_stored_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(
        &dir.path().join("taskbell.db"),
        Arc::new(MemoryNotifier::default()),
    )
    .expect("engine");
    let mut config = WebhookConfig::new("test-clinic");
    config.port = 0;
    config.secret = Some(SECRET.into());
    let server = webhook::start(config, engine.clone()).await.expect("start");

    let body = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../canvas-plugin/schema/examples/completed.json"),
    )
    .expect("example");
    let id = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    let now = signature::unix_now();
    let sig = signature::sign(SECRET, id, now, &body).expect("sign");
    let http = reqwest::Client::new();
    let mut answers = Vec::new();
    for _ in 0..2 {
        let resp = http
            .post(format!("{}/hooks/canvas", server.local_url()))
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", now.to_string())
            .header("webhook-signature", &sig)
            .body(body.clone())
            .send()
            .await
            .expect("send");
        answers.push((
            resp.status().as_u16(),
            resp.json::<serde_json::Value>().await.expect("json"),
        ));
    }
    assert_eq!(
        answers[0],
        (200, serde_json::json!({"stored": true, "duplicate": false}))
    );
    assert_eq!(
        answers[1],
        (200, serde_json::json!({"stored": true, "duplicate": true}))
    );
    assert_eq!(engine.read(|s| s.event_count()).await.expect("count"), 1);
    server.shutdown().await;
}

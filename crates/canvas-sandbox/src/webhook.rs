//! Outgoing Standard Webhooks, as the companion plugin sends them through Canvas's
//! `HttpRequestEffect`: the payload bytes, `webhook-id` = event id, `webhook-timestamp`, and
//! `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
//!
//! One worker sends them one at a time, so a task's events arrive in the order they happened;
//! a failed delivery (network error, 429, 5xx) is retried with backoff, with the same headers
//! and timestamp, before the next one.

use std::time::Duration;

use anyhow::{bail, Context};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::config::WebhookTarget;
use crate::relay::Push;

const BACKOFF: &[Duration] = &[
    Duration::from_millis(200),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
];
/// A receiver asking for a long pause would stall every later event; the plugin platform
/// caps it too.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(5);

/// The signing key: the base64 after `whsec_`.
pub(crate) fn signing_key(secret: &str) -> anyhow::Result<Vec<u8>> {
    let Some(encoded) = secret.strip_prefix("whsec_") else {
        bail!("the webhook secret must look like whsec_<base64>");
    };
    let key = STANDARD
        .decode(encoded)
        .context("the webhook secret after whsec_ is not base64")?;
    if key.is_empty() {
        bail!("the webhook secret is empty");
    }
    Ok(key)
}

pub(crate) fn signature(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

pub(crate) fn spawn(
    target: WebhookTarget,
    mut queue: mpsc::UnboundedReceiver<Push>,
    mut shutdown: watch::Receiver<bool>,
    clock: Clock,
) -> anyhow::Result<JoinHandle<()>> {
    let key = signing_key(&target.secret)?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .context("building the webhook HTTP client")?;
    Ok(tokio::spawn(async move {
        loop {
            let push = tokio::select! {
                push = queue.recv() => match push {
                    Some(p) => p,
                    None => break,
                },
                _ = shutdown.changed() => break,
            };
            tokio::select! {
                _ = deliver(&client, &target, &key, &push, &clock) => {}
                _ = shutdown.changed() => break,
            }
        }
    }))
}

enum Attempt {
    Delivered,
    Retry(Option<Duration>),
    GiveUp,
}

async fn attempt(
    client: &reqwest::Client,
    target: &WebhookTarget,
    key: &[u8],
    push: &Push,
    timestamp: i64,
) -> Attempt {
    let mut request = client
        .post(&target.url)
        .header("content-type", "application/json")
        .header("webhook-id", &push.event_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header(
            "webhook-signature",
            signature(key, &push.event_id, timestamp, &push.body),
        )
        .body(push.body.clone());
    if let Some(bearer) = &target.bearer {
        request = request.bearer_auth(bearer);
    }
    match request.send().await {
        Ok(response) if response.status().is_success() => Attempt::Delivered,
        Ok(response)
            if response.status().as_u16() == 429 || response.status().is_server_error() =>
        {
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(|secs| Duration::from_secs(secs).min(MAX_RETRY_AFTER));
            tracing::debug!(status = %response.status(), "webhook refused; will retry");
            Attempt::Retry(retry_after)
        }
        Ok(response) => {
            tracing::warn!(status = %response.status(), "webhook rejected; not retrying");
            Attempt::GiveUp
        }
        Err(error) => {
            tracing::debug!(%error, "webhook delivery failed; will retry");
            Attempt::Retry(None)
        }
    }
}

async fn deliver(
    client: &reqwest::Client,
    target: &WebhookTarget,
    key: &[u8],
    push: &Push,
    clock: &Clock,
) {
    // Canvas retries with the same headers and timestamp, so receivers see one signature.
    // The timestamp is Canvas's clock, not the receiver's: receivers must allow for skew.
    let timestamp = clock.now().unix_timestamp();
    for pause in BACKOFF.iter().map(Some).chain(std::iter::once(None)) {
        match attempt(client, target, key, push, timestamp).await {
            Attempt::Delivered | Attempt::GiveUp => return,
            Attempt::Retry(retry_after) => match pause {
                Some(pause) => tokio::time::sleep(retry_after.unwrap_or(*pause)).await,
                None => {
                    tracing::warn!(event_id = %push.event_id, "webhook dropped after retries");
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_secrets_without_prefix_or_base64() {
        assert!(signing_key("plain").is_err());
        assert!(signing_key("whsec_***").is_err());
        assert_eq!(signing_key("whsec_c2VjcmV0").unwrap(), b"secret");
    }

    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        // The example from the Standard Webhooks specification.
        let key = signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = signature(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}

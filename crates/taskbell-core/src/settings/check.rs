//! "Test connection" in Settings: fetch a token, then run one task search, and say exactly
//! which of the two failed and what Canvas answered. Nothing is saved or started.

use super::plan::SandboxEndpoints;
use super::{AppSettings, SecretName};
use crate::canvas::{CanvasClient, TaskSearch};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ConnectionCheck {
    pub ok: bool,
    pub message: String,
}

fn failed(message: impl Into<String>) -> ConnectionCheck {
    ConnectionCheck {
        ok: false,
        message: message.into(),
    }
}

/// Tests `settings` as the window has them, secrets typed there first, else `stored`.
/// `sandbox` is the running sandbox, for a sandbox connection.
pub async fn check_connection(
    settings: &AppSettings,
    stored: impl Fn(SecretName) -> Option<String>,
    sandbox: Option<&SandboxEndpoints>,
) -> ConnectionCheck {
    if settings.is_sandbox() && sandbox.is_none() {
        return ConnectionCheck {
            ok: true,
            message: "The sandbox starts when these settings are saved.".into(),
        };
    }
    let plan = match settings.plan(|n| settings.typed_secret(n).or_else(|| stored(n)), sandbox) {
        Ok(plan) => plan,
        Err(e) => return failed(e.message),
    };
    let Some(config) = plan.config.canvas else {
        return failed("No Canvas connection is configured.");
    };
    let token_url = config.token_url.to_string();
    let client = match CanvasClient::new(config) {
        Ok(c) => c,
        Err(e) => return failed(e.to_string()),
    };
    if let Err(e) = client.check_credentials().await {
        return failed(format!("Getting a token from {token_url} failed: {e}"));
    }
    // A search for one id that cannot exist: a single page, proving the token may read tasks.
    let probe = uuid::Uuid::new_v4().to_string();
    if let Err(e) = client.search_tasks(&TaskSearch::new().ids(&[&probe])).await {
        return failed(format!("The token works, but searching tasks failed: {e}"));
    }
    ConnectionCheck {
        ok: true,
        message: format!(
            "Connected to {}: the token and a task search both work.",
            plan.name
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{CanvasConnection, Connection, ReceiveMode, WriteOnly};
    use super::*;
    use canvas_sandbox::{Sandbox, SandboxConfig};

    async fn sandbox_as_canvas(secret: &str) -> (Sandbox, AppSettings) {
        let sb = Sandbox::start(SandboxConfig::default())
            .await
            .expect("sandbox starts");
        let settings = AppSettings {
            connection: Connection::Canvas(CanvasConnection {
                fhir_base: sb.fhir_base(),
                token_url: sb.token_url(),
                client_id: sb.config().client_id.clone(),
                client_secret: WriteOnly::new(secret),
                requester: sb.clinic().requester,
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut settings = settings;
        settings.receive.mode = ReceiveMode::Poll;
        (sb, settings)
    }

    #[tokio::test]
    async fn good_credentials_pass_both_steps() {
        let (sb, settings) = sandbox_as_canvas("sandbox-secret").await;
        let check = check_connection(&settings, |_| None, None).await;
        assert!(check.ok, "{}", check.message);
        assert!(
            check.message.starts_with("Connected to 127.0.0.1"),
            "{}",
            check.message
        );
        sb.shutdown().await;
    }

    #[tokio::test]
    async fn a_wrong_secret_is_reported_as_the_token_step() {
        let (sb, settings) = sandbox_as_canvas("wrong").await;
        let check = check_connection(&settings, |_| None, None).await;
        assert!(!check.ok);
        assert!(
            check
                .message
                .starts_with("Getting a token from http://127.0.0.1:"),
            "{}",
            check.message
        );
        sb.shutdown().await;
    }

    #[tokio::test]
    async fn a_missing_secret_is_named_before_anything_is_sent() {
        let (sb, mut settings) = sandbox_as_canvas("x").await;
        settings.take_secrets();
        let check = check_connection(&settings, |_| None, None).await;
        assert_eq!(check, failed("Enter the client secret: none is stored yet"));
        let stored = |n| (n == SecretName::ClientSecret).then(|| "sandbox-secret".to_string());
        assert!(
            check_connection(&settings, stored, None).await.ok,
            "a stored secret is used"
        );
        sb.shutdown().await;
    }
}

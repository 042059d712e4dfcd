//! The app's embedded sandbox Canvas, read over its FHIR API as any Canvas client reads it, so a
//! test checks what the app wrote to Canvas rather than what its window says it wrote. The app
//! picks the sandbox's port when it starts and logs it; the credentials are the sandbox's
//! defaults, as `taskbell-cli sandbox` prints them.

use crate::app_process::read_log;
use crate::fhir_task::FhirTask;
use crate::wait::{until, Look, PATIENCE};
use anyhow::{bail, Context, Result};
use std::path::Path;
use std::time::Duration;

/// What the app logs (at info) once its sandbox listens, before the address.
pub const SANDBOX_LOG: &str = "sandbox on ";
const CLIENT_ID: &str = "sandbox-client";
const CLIENT_SECRET: &str = "sandbox-secret";

/// The sandbox answers from memory on loopback; a read this slow means it is stuck.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

pub struct SandboxApi {
    fhir: String,
    token: String,
    http: reqwest::Client,
}

/// The sandbox's address in the app's log: the last one, as a reconnect starts a new sandbox.
pub fn address_in_log(log: &str) -> Option<String> {
    log.lines()
        .rev()
        .filter_map(|l| l.split_once(SANDBOX_LOG))
        .filter_map(|(_, rest)| rest.split_whitespace().next())
        .find(|a| a.starts_with("http://"))
        .map(str::to_string)
}

impl SandboxApi {
    /// Waits for the app at `log` to say where its sandbox is, and signs in to it.
    pub async fn from_app_log(log: &Path) -> Result<SandboxApi> {
        let base = until("the app to log its sandbox's address", PATIENCE, || async {
            Ok(match address_in_log(&read_log(log)) {
                Some(a) => Look::Done(a),
                None => Look::NotYet(format!("no {SANDBOX_LOG:?} line in {}", log.display())),
            })
        })
        .await?;
        SandboxApi::sign_in(&base).await
    }

    /// Client credentials at `<base>/auth/token/`, as Canvas's OAuth2 takes them.
    pub async fn sign_in(base: &str) -> Result<SandboxApi> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        let url = format!("{base}/auth/token/");
        let answer = http
            .post(&url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", CLIENT_SECRET),
            ])
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        let status = answer.status();
        let body: serde_json::Value = answer
            .json()
            .await
            .with_context(|| format!("the answer to POST {url} ({status})"))?;
        let token = body
            .get("access_token")
            .and_then(|t| t.as_str())
            .with_context(|| format!("POST {url} answered {status} without a token: {body}"))?;
        Ok(SandboxApi {
            fhir: format!("{base}/fhir"),
            token: token.to_string(),
            http,
        })
    }

    /// `GET /Task/<id>`.
    pub async fn task(&self, id: &str) -> Result<FhirTask> {
        let url = format!("{}/Task/{id}", self.fhir);
        let answer = self
            .http
            .get(&url)
            .bearer_auth(&self.token)
            .send()
            .await
            .with_context(|| format!("GET {url}"))?;
        let status = answer.status();
        let body: serde_json::Value = answer
            .json()
            .await
            .with_context(|| format!("the answer to GET {url} ({status})"))?;
        if !status.is_success() {
            bail!("GET {url} answered {status}: {body}");
        }
        Ok(FhirTask(body))
    }

    /// Reads task `id` until `pred` holds, and returns that read.
    pub async fn wait_task(
        &self,
        id: &str,
        what: &str,
        pred: impl Fn(&FhirTask) -> bool,
    ) -> Result<FhirTask> {
        until(what, PATIENCE, || async {
            let t = self.task(id).await?;
            Ok(if pred(&t) {
                Look::Done(t)
            } else {
                Look::NotYet(format!("Task/{id}: {}", t.0))
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_last_sandbox_address_in_the_log() {
        let log = "2026-05-01T10:00:00Z  INFO taskbell_app::connection: sandbox on http://127.0.0.1:40123\n\
                   2026-05-01T10:00:01Z  INFO taskbell_app::connection: connected: live\n\
                   2026-05-01T10:05:00Z  INFO taskbell_app::connection: sandbox on http://127.0.0.1:40999\n";
        assert_eq!(
            address_in_log(log).as_deref(),
            Some("http://127.0.0.1:40999")
        );
        assert_eq!(address_in_log("INFO tray ready\n"), None);
    }
}

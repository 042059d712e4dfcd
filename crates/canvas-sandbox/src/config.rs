//! What a sandbox is started with. Defaults are what the demo mode and most tests want.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// 0 picks a free port.
    pub port: u16,
    pub client_id: String,
    pub client_secret: String,
    pub token_lifetime: Duration,
    /// A dozen patients, a few staff and two teams, all made up. When false, only one
    /// practitioner exists, so tasks can still be created.
    pub seed_clinic: bool,
    /// Simulated staff complete (or close) each open task created through the API about this
    /// long after creation.
    pub staff_delay: Option<Duration>,
    /// Simulated staff hand work to the sandbox's user (the clinic's requester) and that
    /// user's team about this often, so a demo has incoming work without anyone creating it.
    /// None (or zero) is off. See [`crate::Handout`] for the steps.
    pub handout: Option<Duration>,
    pub socket_api_key: String,
    pub plugin_name: String,
    pub channel: String,
    pub webhook: Option<WebhookTarget>,
}

/// Where the sandbox posts Standard Webhooks, as the companion plugin would.
#[derive(Debug, Clone)]
pub struct WebhookTarget {
    pub url: String,
    /// `whsec_<base64 key>`.
    pub secret: String,
    pub bearer: Option<String>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            port: 0,
            client_id: "sandbox-client".into(),
            client_secret: "sandbox-secret".into(),
            token_lifetime: Duration::from_secs(36_000),
            seed_clinic: true,
            staff_delay: None,
            handout: None,
            socket_api_key: "sandbox-socket-key".into(),
            plugin_name: "taskbell_relay".into(),
            channel: "taskbell".into(),
            webhook: None,
        }
    }
}

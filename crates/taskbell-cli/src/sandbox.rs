//! Starting the embedded sandbox and describing it as a Canvas to talk to.

use canvas_sandbox::{Sandbox, SandboxConfig};
use std::time::Duration;
use taskbell_core::canvas::CanvasConfig;

/// `handout`: how often simulated staff hand work to the requester; None is off.
pub async fn start(
    port: u16,
    staff_delay: Option<Duration>,
    handout: Option<Duration>,
) -> anyhow::Result<Sandbox> {
    Sandbox::start(SandboxConfig {
        port,
        staff_delay,
        handout,
        ..Default::default()
    })
    .await
}

pub fn canvas_config(sb: &Sandbox) -> anyhow::Result<CanvasConfig> {
    let c = sb.config();
    Ok(CanvasConfig::with_urls(
        "sandbox",
        &sb.fhir_base(),
        &sb.token_url(),
        &c.client_id,
        &c.client_secret,
    )?)
}

pub fn describe(sb: &Sandbox) -> String {
    let c = sb.config();
    let handout = match sb.knobs().handout() {
        Some(pace) => format!("every {} s", pace.as_secs_f64()),
        None => "off".to_owned(),
    };
    format!(
        "Canvas sandbox on {}\n  FHIR base   {}\n  token URL   {}\n  client      {} / {}\n  plugin ws   {}?api_key={}\n  requester   {}\n  handout     {}",
        sb.base_url(),
        sb.fhir_base(),
        sb.token_url(),
        c.client_id,
        c.client_secret,
        sb.ws_url(),
        c.socket_api_key,
        sb.clinic().requester,
        handout
    )
}

//! `taskbell-cli` as a separate process, pointed at a sandbox the way a user points it at Canvas.
#![allow(dead_code)]

use canvas_sandbox::Sandbox;
use std::process::Command;
use taskbell_core::canvas::{CanvasClient, CanvasConfig};

/// The command with the sandbox's URLs, client id, secret and requester.
pub fn cli(sb: &Sandbox, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_taskbell-cli"));
    c.args(args)
        .args([
            "--fhir-base",
            &sb.fhir_base(),
            "--token-url",
            &sb.token_url(),
        ])
        .args([
            "--client-id",
            &sb.config().client_id,
            "--requester",
            &sb.clinic().requester,
        ])
        .env("TASKBELL_CLIENT_SECRET", &sb.config().client_secret)
        .env("RUST_LOG", "warn");
    c
}

/// Runs it to the end without holding up the sandbox, which answers on this process's runtime.
pub async fn run(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    tokio::process::Command::from(cli(sb, args))
        .output()
        .await
        .expect("taskbell-cli runs")
}

/// A client of the sandbox, to arrange what a test needs in it.
pub fn client(sb: &Sandbox) -> CanvasClient {
    let cfg = CanvasConfig::with_urls(
        "sandbox",
        &sb.fhir_base(),
        &sb.token_url(),
        &sb.config().client_id,
        &sb.config().client_secret,
    )
    .expect("config");
    CanvasClient::new(cfg).expect("client")
}

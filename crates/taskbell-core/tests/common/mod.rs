//! Shared set-up for the integration tests: a sandbox, a client for it, an engine on a temp file.
#![allow(dead_code)]

use canvas_sandbox::{Sandbox, SandboxConfig};
use std::sync::Arc;
use std::time::Duration;
use taskbell_core::canvas::{CanvasClient, CanvasConfig};
use taskbell_core::engine::{NotifyPrefs, NotifyScope};
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::Engine;

pub async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox starts")
}

pub fn client_for(sb: &Sandbox) -> CanvasClient {
    let mut cfg = CanvasConfig::with_urls(
        "sandbox",
        &sb.fhir_base(),
        &sb.token_url(),
        &sb.config().client_id,
        &sb.config().client_secret,
    )
    .expect("config");
    cfg.backoff_base = Duration::from_millis(20);
    cfg.backoff_cap = Duration::from_millis(200);
    CanvasClient::new(cfg).expect("client")
}

pub struct TestEngine {
    pub engine: Engine,
    pub notes: Arc<MemoryNotifier>,
    pub dir: tempfile::TempDir,
}

pub fn engine() -> TestEngine {
    let dir = tempfile::tempdir().expect("tempdir");
    let notes = Arc::new(MemoryNotifier::default());
    let engine = Engine::open(&dir.path().join("taskbell.db"), notes.clone()).expect("engine");
    engine.set_prefs(NotifyPrefs {
        scope: NotifyScope::Everyone,
        ..Default::default()
    });
    TestEngine { engine, notes, dir }
}

/// Waits until `f` holds, up to `secs`; panics with `what` otherwise.
pub async fn eventually(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

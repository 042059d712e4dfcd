//! Shared set-up for the integration tests: a sandbox, a client for it, an engine on a temp file.
#![allow(dead_code)]

use canvas_sandbox::{Sandbox, SandboxConfig};
use std::sync::Arc;
use std::time::Duration;
use taskbell_core::canvas::{CanvasClient, CanvasConfig, TaskDraft};
use taskbell_core::engine::{NotifyPrefs, NotifyScope};
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::time_util::parse_rfc3339;
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

/// A task with every field a client maps: patient, owner, team, due date, two labels, a
/// comment.
pub fn draft(sb: &Sandbox, description: &str) -> TaskDraft {
    let clinic = sb.clinic();
    TaskDraft {
        description: description.into(),
        requester: clinic.requester.clone(),
        patient: Some(clinic.patients[0].0.clone()),
        owner: Some(clinic.practitioners[1].0.clone()),
        team: Some(clinic.teams[0].0.clone()),
        due: parse_rfc3339("2030-05-01T15:00:00Z"),
        labels: vec!["Urgent".into(), "Billing".into()],
        comment: Some("Please call before noon.".into()),
        authored_on: None,
        names: Default::default(),
    }
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

/// `action` applied to task `id` as Canvas answered it, whatever became of it.
pub async fn act(
    client: &CanvasClient,
    id: &str,
    action: taskbell_core::canvas::TaskAction,
) -> Result<taskbell_core::task::Task, taskbell_core::canvas::CanvasError> {
    let req = taskbell_core::canvas::ActionRequest::new(action);
    Ok(client.act(id, &req).await?.task().clone())
}

/// One comment by `author` (a Practitioner id).
pub fn comment(text: &str, author: &str) -> taskbell_core::canvas::TaskAction {
    taskbell_core::canvas::TaskAction::Comment {
        text: text.into(),
        author: author.into(),
    }
}

/// A client for the sandbox's system name at an address where nothing listens: Canvas never
/// answers, so its clock is never known and the desktop's is used.
pub fn unreachable_client() -> CanvasClient {
    let mut cfg = CanvasConfig::with_urls(
        "sandbox",
        "http://127.0.0.1:9/fhir",
        "http://127.0.0.1:9/auth/token/",
        "id",
        "secret",
    )
    .expect("config");
    cfg.backoff_base = Duration::from_millis(5);
    cfg.backoff_cap = Duration::from_millis(20);
    cfg.call_timeout = Duration::from_secs(2);
    CanvasClient::new(cfg).expect("client")
}

/// An engine on `db` for the user "me", its Canvas unreachable, its desktop clock `clock`.
pub fn offline_engine(
    db: &std::path::Path,
    clock: taskbell_core::time_util::Clock,
) -> (Engine, Arc<MemoryNotifier>) {
    let notes = Arc::new(MemoryNotifier::default());
    let engine = Engine::open_with_clock(db, notes.clone(), clock).expect("engine");
    engine.set_canvas(Some(unreachable_client()));
    engine.set_me(Some("me".into()));
    (engine, notes)
}

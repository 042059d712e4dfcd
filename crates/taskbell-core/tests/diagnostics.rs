//! Copy diagnostics against a real history, real stored secrets and a log written by the real
//! tracing pipeline into the rotating file: whatever a bug lets into the log, no secret and no
//! patient value reaches the text the user copies, and the lines support needs still do.

use std::sync::Mutex;
use taskbell_core::diagnostics::{self, About};
use taskbell_core::logfile::{self, RotatingFile};
use taskbell_core::secrets::SecretStore;
use taskbell_core::settings::{ReceiveMode, SecretName, SecretsBackend};
use taskbell_core::status::ConnectionKind;
use taskbell_core::store::Store;
use taskbell_core::task::{Party, TaskSnapshot};
use taskbell_core::time_util::from_millis;
use taskbell_core::{EventKind, Source, TaskEvent, TaskRef, TaskStatus};

const PATIENT_NAME: &str = "Marisol Okonkwo-Baptiste";
const PATIENT_ID: &str = "8f2c91d4e7a04b39";
const DESCRIPTION: &str = "Refill lisinopril after renal panel";
const CLIENT_SECRET: &str = "cs_live_Zq81hF0pW2";
const SOCKET_KEY: &str = "sk-plugin-77Hd9Lq";

fn created(id: &str) -> TaskEvent {
    TaskEvent {
        delivery_key: format!("k-{id}"),
        task: TaskRef::new("demo-clinic", id),
        kind: EventKind::Created,
        source: Source::Poll,
        at: Some(from_millis(1_767_225_600_000)),
        status: Some(TaskStatus::Open),
        actor: None,
        snapshot: TaskSnapshot {
            description: Some(DESCRIPTION.into()),
            patient: Some(Party {
                id: PATIENT_ID.into(),
                display: Some(PATIENT_NAME.into()),
            }),
            ..TaskSnapshot::default()
        },
        external_id: None,
    }
}

/// Logs through tracing's formatter into the rotating file, as the desktop app does.
fn write_log(path: &std::path::Path) {
    let file = RotatingFile::open(path).expect("log file");
    let subscriber = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("tray ready");
        tracing::debug!(patient = PATIENT_NAME, "read task: {DESCRIPTION}");
        tracing::warn!("token refresh refused for client_secret={CLIENT_SECRET}");
        tracing::info!("connected with key {SOCKET_KEY}");
        tracing::error!("task for {PATIENT_NAME} ({PATIENT_ID}) failed: \"{DESCRIPTION}\"");
        tracing::info!("Marisol's task was completed");
        tracing::info!(url = "wss://demo/ws?token=abc123def", "socket closed");
        tracing::info!("polling every 30 s");
    });
}

#[test]
fn diagnostics_leave_out_secrets_and_patients_and_keep_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(&dir.path().join("taskbell.db")).expect("store");
    store.apply(&created("t-1"), true).expect("apply");
    let secrets = SecretStore::file_only(dir.path());
    secrets
        .set(SecretName::ClientSecret.key(), CLIENT_SECRET)
        .expect("store a secret");
    secrets
        .set(SecretName::SocketApiKey.key(), SOCKET_KEY)
        .expect("store a secret");
    let log = logfile::path_in(dir.path());
    write_log(&log);
    let raw = std::fs::read_to_string(&log).expect("the log");
    for value in [
        PATIENT_NAME,
        CLIENT_SECRET,
        SOCKET_KEY,
        "abc123def",
        DESCRIPTION,
    ] {
        assert!(
            raw.contains(value),
            "the test log should hold {value}, to show it is taken out"
        );
    }

    let about = About {
        version: "0.1.0".into(),
        os: diagnostics::os_description(),
        instance: "demo-clinic".into(),
        mode: ConnectionKind::Canvas,
        receive: ReceiveMode::Live,
        connection: "demo-clinic · live".into(),
        secrets: SecretsBackend::File,
        data_dir: dir.path().to_path_buf(),
        log_file: Some(log.clone()),
    };
    let text = diagnostics::collect(
        &about,
        &store,
        SecretName::ALL
            .iter()
            .filter_map(|n| secrets.get(n.key()).ok().flatten())
            .collect(),
    )
    .expect("diagnostics");

    for leaked in [
        PATIENT_NAME,
        "Marisol",
        "Okonkwo-Baptiste",
        PATIENT_ID,
        DESCRIPTION,
        "lisinopril",
        CLIENT_SECRET,
        SOCKET_KEY,
        "abc123def",
    ] {
        assert!(
            !text.contains(leaked),
            "diagnostics disclose {leaked}:\n{text}"
        );
    }
    for kept in [
        "Taskbell: 0.1.0",
        "Instance: demo-clinic",
        "Receive: live",
        "tray ready",
        "polling every 30 s",
        "socket closed",
    ] {
        assert!(text.contains(kept), "diagnostics lack {kept}:\n{text}");
    }
    assert!(!text.contains("DEBUG"), "debug lines stay out:\n{text}");
    assert!(text.contains(&log.display().to_string()));
}

#[test]
fn only_the_last_lines_are_taken() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("taskbell.db")).expect("store");
    let log = logfile::path_in(dir.path());
    let mut lines = String::new();
    for i in 0..(diagnostics::LOG_LINES + 50) {
        lines.push_str(&format!(
            "2026-11-30T10:00:00Z  INFO taskbell_app: line {i}\n"
        ));
    }
    std::fs::create_dir_all(log.parent().expect("dir")).expect("mkdir");
    std::fs::write(&log, lines).expect("write");
    let about = About {
        version: "0.1.0".into(),
        os: "test".into(),
        instance: "Sandbox".into(),
        mode: ConnectionKind::Sandbox,
        receive: ReceiveMode::Live,
        connection: "Sandbox · live".into(),
        secrets: SecretsBackend::File,
        data_dir: dir.path().to_path_buf(),
        log_file: Some(log),
    };
    let text = diagnostics::collect(&about, &store, Vec::new()).expect("diagnostics");
    assert!(text.contains(&format!("Last {} log lines", diagnostics::LOG_LINES)));
    assert!(
        !text.contains("line 49\n")
            && text.contains("line 50\n")
            && text.contains(&format!("line {}\n", diagnostics::LOG_LINES + 49))
    );
}

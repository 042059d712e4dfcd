//! The About commands on Tauri's mock runtime against the embedded sandbox: a task for a real
//! sandbox patient is created and stored, a stored secret and that patient's data are let into
//! the log file (as a bug might), and the diagnostics the window copies hold none of them.

use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use taskbell_app::Options;
use taskbell_core::notify::MemoryNotifier;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{WebviewWindow, WebviewWindowBuilder};

const WEBHOOK_TOKEN: &str = "tok-Hq73kd0a9Z";

fn call(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Value {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request)
        .map(|b| b.deserialize::<Value>().expect("JSON answer"))
        .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn diagnostics_leave_out_what_the_history_and_the_secret_store_hold() {
    taskbell_app::install_runtime().expect("a runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let log = taskbell_core::logfile::path_in(&dir.path().join("data"));
    let mut options =
        Options::headless(dir.path().join("data"), Arc::new(MemoryNotifier::default()));
    options.log_file = Some(log.clone());
    let mut app = taskbell_app::build(mock_builder(), options)
        .build(mock_context(noop_assets()))
        .expect("the app builds");
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("a window");
    wait_for("the sandbox", || {
        call(&w, "get_status", json!({}))["receiver_state"] == "live"
    });

    let patients = call(&w, "search_patients", json!({"query": "Thornquist"}));
    let (patient_id, patient) = (
        patients["items"][0]["id"].as_str().expect("a patient id"),
        patients["items"][0]["name"].as_str().expect("a name"),
    );
    let description = "Recheck potassium before the dose change";
    let draft = json!({"draft": {"description": description, "patient": patient_id, "owner": null, "team": null,
        "due": null, "labels": [], "comment": null, "names": {"patient": patient, "owner": null, "team": null}}});
    assert_eq!(call(&w, "create_task", draft)["state"], "created");
    let mut settings = call(&w, "get_settings", json!({}));
    settings["receive"]["webhook_token"] = json!(WEBHOOK_TOKEN);
    call(&w, "save_settings", json!({"settings": settings}));

    let leaks = [
        format!("2026-11-30T10:00:00.000001Z  INFO taskbell_app::connection: task for {patient} ({patient_id}) stored"),
        format!("2026-11-30T10:00:00.000002Z  WARN taskbell_core::inbox: refused {description:?} with token {WEBHOOK_TOKEN}"),
        "2026-11-30T10:00:00.000003Z  INFO taskbell_app::tray: tray ready".to_string(),
    ];
    std::fs::create_dir_all(log.parent().expect("logs dir")).expect("mkdir");
    std::fs::write(&log, leaks.join("\n") + "\n").expect("the log");

    let about = call(&w, "about", json!({}));
    assert_eq!(about["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(about["instance"], "Sandbox");
    assert_eq!(about["mode"], "sandbox");
    assert_eq!(about["log_file"], log.display().to_string());

    let text = call(&w, "diagnostics", json!({}));
    let text = text.as_str().expect("text");
    let mut private = vec![
        patient.to_string(),
        patient_id.to_string(),
        description.to_string(),
        WEBHOOK_TOKEN.to_string(),
    ];
    private.extend(
        patient
            .split_whitespace()
            .filter(|w| w.len() >= 3)
            .map(str::to_owned),
    );
    for leaked in &private {
        assert!(
            !text.contains(leaked.as_str()),
            "diagnostics disclose {leaked}:\n{text}"
        );
    }
    for kept in ["Taskbell: ", "Mode: sandbox", "tray ready", "stored"] {
        assert!(text.contains(kept), "diagnostics lack {kept}:\n{text}");
    }
}

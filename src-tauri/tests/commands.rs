//! The app's commands on Tauri's mock runtime, built by the same function as the real app
//! (no tray, no D-Bus, no display): against the embedded sandbox, a task is created, shows in
//! the history, is completed by the simulated staff, notifies, and is exported.

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

struct Harness {
    _app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    notifier: Arc<MemoryNotifier>,
    dir: tempfile::TempDir,
}

fn start() -> Harness {
    start_with(|_| {})
}

fn start_with(adjust: impl FnOnce(&mut Options)) -> Harness {
    // The app's own runtime, so the checks that nothing waits on D-Bus on a worker apply here.
    taskbell_app::install_runtime().expect("a runtime");
    let dir = tempfile::tempdir().expect("tempdir");
    let notifier = Arc::new(MemoryNotifier::default());
    let mut options = Options::headless(dir.path().join("data"), notifier.clone());
    adjust(&mut options);
    let mut app = taskbell_app::build(mock_builder(), options)
        .build(mock_context(noop_assets()))
        .expect("the app builds");
    // Tauri runs the setup hook when its event loop starts; one iteration of the mock loop is
    // that start, and the app's own tasks then run on Tauri's async runtime.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("a window");
    Harness {
        _app: app,
        window,
        notifier,
        dir,
    }
}

impl Harness {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        get_ipc_response(&self.window, request)
            .map(|b| b.deserialize::<Value>().expect("JSON answer"))
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args)
            .unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
    }

    fn wait_for(&self, what: &str, limit: Duration, mut done: impl FnMut(&Self) -> bool) {
        let start = Instant::now();
        while !done(self) {
            assert!(
                start.elapsed() < limit,
                "timed out waiting for {what}; status: {}",
                self.ok("get_status", json!({}))
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn all_history() -> Value {
    json!({"query": {"statuses": [], "from": null, "to": null, "patient_id": null, "assignee_id": null,
        "text": null, "mine_only": false, "after": null, "limit": 50}})
}

#[test]
fn a_sandbox_task_goes_round_the_loop() {
    let h = start();
    h.wait_for("the sandbox socket", Duration::from_secs(20), |h| {
        h.ok("get_status", json!({}))["receiver_state"] == "live"
    });
    let status = h.ok("get_status", json!({}));
    assert_eq!(status["line"], "Sandbox · live");
    assert_eq!(status["mode"], "sandbox");
    assert_eq!(status["receive"], "live");
    assert_eq!(status["tray_available"], false, "no tray under test");
    assert_eq!(status["paused_until"], Value::Null);

    let staff = h.ok("search_practitioners", json!({"query": ""}));
    assert_eq!(staff["truncated"], false, "{staff}");
    let owner = staff["items"][0]["id"]
        .as_str()
        .expect("a practitioner")
        .to_string();
    let teams = h.ok("list_teams", json!({}));
    assert_eq!(
        teams["items"].as_array().map(Vec::len),
        Some(25),
        "every seeded team: {teams}"
    );
    let draft = json!({"draft": {"description": "Fax the referral", "patient": null, "owner": owner, "team": null,
        "due": "2030-01-02T17:00:00+01:00", "labels": ["Urgent"], "comment": null,
        "names": {"patient": null, "owner": "Someone", "team": null}}});
    let created = h.ok("create_task", draft);
    assert_eq!(created["state"], "created", "{created}");
    let task_id = created["task_id"].as_str().expect("an id").to_string();

    let page = h.ok("history", all_history());
    assert_eq!(page["rows"][0]["task_id"], task_id.as_str());
    assert_eq!(page["rows"][0]["labels"], json!(["Urgent"]));

    // The simulated staff finish it a second later and the socket brings the news.
    h.wait_for("the completion", Duration::from_secs(30), |h| {
        h.ok("get_status", json!({}))["unread"] == 1
    });
    assert_eq!(h.notifier.shown().len(), 1, "one notification");
    let timeline = h.ok("timeline", json!({"system": "sandbox", "taskId": task_id}));
    assert!(
        timeline.as_array().is_some_and(|t| t.len() >= 2),
        "{timeline}"
    );
    let unread = h.ok("unread", json!({}));
    // The staff complete a task, or one time in five close it.
    assert!(
        unread[0]["kind"] == "completed" || unread[0]["kind"] == "closed",
        "{unread}"
    );
    assert_eq!(unread[0]["task"]["id"], task_id.as_str(), "{unread}");
    h.ok("mark_all_read", json!({}));
    assert_eq!(h.ok("get_status", json!({}))["unread"], 0);
    assert_eq!(h.ok("pending_tasks", json!({})), json!([]));
}

#[test]
fn settings_round_trip_without_their_secrets() {
    let h = start();
    let settings = h.ok("get_settings", json!({}));
    assert_eq!(settings["connection"], json!({"kind": "sandbox"}));
    assert_eq!(settings["secrets_backend"], "file");

    let mut poll = settings.clone();
    poll["receive"]["mode"] = json!("poll");
    poll["receive"]["poll_interval_secs"] = json!(5);
    let refused = h
        .call("save_settings", json!({"settings": poll.clone()}))
        .expect_err("5 s is too often");
    assert_eq!(refused, json!("Poll every 10 seconds or more"));

    poll["receive"]["poll_interval_secs"] = json!(45);
    poll["receive"]["webhook_token"] = json!("tok-123");
    let saved = h.ok("save_settings", json!({"settings": poll}));
    assert_eq!(
        saved["receive"]["webhook_token"],
        Value::Null,
        "secrets are never read back"
    );
    assert_eq!(saved["receive"]["webhook_token_set"], true);
    h.wait_for("polling", Duration::from_secs(20), |h| {
        h.ok("get_status", json!({}))["line"] == "Sandbox · polling every 45 s"
    });

    let on_disk =
        std::fs::read_to_string(h.dir.path().join("data").join("settings.json")).expect("saved");
    assert!(
        on_disk.contains("\"poll_interval_secs\": 45") && !on_disk.contains("tok-123"),
        "{on_disk}"
    );
    let secrets = h.dir.path().join("data").join("secrets.json");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&secrets)
            .expect("secrets file")
            .permissions()
            .mode()
            & 0o777,
        0o600
    );

    let check = h.ok(
        "test_connection",
        json!({"settings": h.ok("get_settings", json!({}))}),
    );
    assert_eq!(check["ok"], true, "{check}");
    let tunnel = h
        .call("start_tunnel", json!({}))
        .expect_err("not in poll mode");
    assert!(
        tunnel
            .as_str()
            .is_some_and(|t| t.starts_with("A tunnel is for webhook mode")),
        "{tunnel}"
    );
}

#[test]
fn links_and_exports_are_guarded_and_quoted() {
    let h = start();
    let refused = h
        .call("open_url", json!({"url": "file:///etc/passwd"}))
        .expect_err("not a web link");
    assert!(
        refused
            .as_str()
            .is_some_and(|t| t.starts_with("Only web links")),
        "{refused}"
    );

    // Exports go to the Downloads folder, else home: point home at the temp dir.
    std::env::set_var("HOME", h.dir.path());
    std::env::set_var("XDG_CONFIG_HOME", h.dir.path().join("config"));
    let path = h.ok("export_csv", all_history());
    let path = path.as_str().expect("a path");
    assert!(
        path.starts_with(h.dir.path().to_str().expect("utf-8")),
        "{path}"
    );
    assert!(
        path.contains("taskbell-history-") && path.ends_with(".csv"),
        "{path}"
    );
    let text = std::fs::read_to_string(path).expect("written");
    assert!(
        text.starts_with("system,task_id,status,description"),
        "{text}"
    );
}

/// A port nobody is listening on right now.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    l.local_addr().expect("address").port()
}

#[test]
fn webhook_mode_hears_the_sandbox_and_tunnels_out() {
    let h = start();
    // A stand-in cloudflared that announces a quick tunnel and stays up, first on PATH.
    let bin = h.dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let fake = bin.join("cloudflared");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'INF |  https://quiet-lake-cat.trycloudflare.com  |'\nexec sleep 20\n",
    )
    .expect("script");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::env::set_var(
        "PATH",
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );

    let mut settings = h.ok("get_settings", json!({}));
    let port = free_port();
    settings["receive"]["mode"] = json!("webhook");
    settings["receive"]["webhook_port"] = json!(port);
    h.ok("save_settings", json!({"settings": settings}));
    let status = h.ok("get_status", json!({}));
    assert_eq!(status["line"], "Sandbox · webhook", "{status}");
    assert_eq!(
        status["local_webhook_url"],
        format!("http://127.0.0.1:{port}")
    );

    assert_eq!(
        h.ok("start_tunnel", json!({})),
        "https://quiet-lake-cat.trycloudflare.com"
    );
    assert_eq!(
        h.ok("get_status", json!({}))["public_webhook_url"],
        "https://quiet-lake-cat.trycloudflare.com"
    );

    // The sandbox signs its webhooks with a secret made for it; the endpoint accepts them.
    let draft = json!({"draft": {"description": "Order labs", "patient": null, "owner": null, "team": null,
        "due": null, "labels": [], "comment": null, "names": {"patient": null, "owner": null, "team": null}}});
    assert_eq!(h.ok("create_task", draft)["state"], "created");
    h.wait_for("the webhook", Duration::from_secs(30), |h| {
        h.notifier.shown().len() == 1
    });
    let page = h.ok("history", all_history());
    // The sandbox's staff close one task in five instead of completing it.
    let status = page["rows"][0]["status"].as_str().unwrap_or_default();
    assert!(status == "completed" || status == "closed", "{page}");
    let task_id = page["rows"][0]["task_id"].clone();
    let timeline = h.ok("timeline", json!({"system": "sandbox", "taskId": task_id}));
    let sources: Vec<&str> = timeline
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["source"].as_str())
        .collect();
    assert!(sources.contains(&"webhook"), "{timeline}");
}

#[test]
fn an_unreachable_canvas_reads_offline_and_retrying() {
    let h = start();
    let port = free_port();
    let settings = json!({
        "connection": {"kind": "canvas", "instance": "", "fhir_base": format!("http://127.0.0.1:{port}/fhir"),
            "token_url": format!("http://127.0.0.1:{port}/auth/token/"), "client_id": "id",
            "client_secret": "s3cret", "client_secret_set": false, "requester": "p1"},
        "receive": {"mode": "live", "socket_url": format!("ws://127.0.0.1:{port}/plugin-io/ws/taskbell_relay/taskbell/"),
            "socket_channel": "taskbell", "socket_api_key": "k", "socket_api_key_set": false, "webhook_port": 8787,
            "webhook_secret": null, "webhook_secret_set": false, "webhook_token": null, "webhook_token_set": false,
            "public_url": "", "poll_interval_secs": 30},
        "notify": {"scope": "mine", "kinds": ["completed", "closed"], "show_patient": false, "sound": true},
        "autostart": false, "secrets_backend": "file"
    });
    let saved = h.ok("save_settings", json!({"settings": settings}));
    assert_eq!(saved["connection"]["client_secret"], Value::Null);
    assert_eq!(saved["connection"]["client_secret_set"], true);
    h.wait_for("a retry", Duration::from_secs(20), |h| {
        h.ok("get_status", json!({}))["line"]
            .as_str()
            .is_some_and(|l| l.starts_with("Offline — retrying in "))
    });
    let status = h.ok("get_status", json!({}));
    assert_eq!(status["mode"], "canvas");
    assert!(
        status["receiver_state"]
            .as_str()
            .is_some_and(|s| s.starts_with("reconnecting in ")),
        "{status}"
    );
    let check = h.ok(
        "test_connection",
        json!({"settings": h.ok("get_settings", json!({}))}),
    );
    assert_eq!(check["ok"], false);
    assert!(
        check["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("Getting a token from")),
        "{check}"
    );
}

/// The detail panel's work: assign to me, For me lists it, a comment is one note by me,
/// complete, and a second Complete from a stale view is said, not sent. None of it is
/// announced to the user who did it.
#[test]
fn acting_on_a_task_from_the_window() {
    let h = start_with(|o| o.staff_delay = Duration::from_secs(3600));
    h.wait_for("the sandbox", Duration::from_secs(30), |h| {
        h.call("list_teams", json!({})).is_ok()
    });
    let draft = json!({"draft": {"description": "Call the lab", "patient": null, "owner": null, "team": null,
        "due": null, "labels": [], "comment": null, "names": {"patient": null, "owner": null, "team": null}}});
    let created = h.ok("create_task", draft);
    let id = created["task_id"].as_str().expect("an id").to_string();
    let task = |h: &Harness| h.ok("task_detail", json!({"system": "sandbox", "taskId": id}));
    let act = |h: &Harness, action: Value| {
        h.call(
            "act_on_task",
            json!({"system": "sandbox", "taskId": id, "action": action, "seen": "open"}),
        )
    };
    let detail = task(&h);
    assert_eq!(detail["fresh"], true, "{detail}");
    assert_eq!(detail["notes"], json!([]), "{detail}");
    let me = detail["me"].as_str().expect("this user").to_string();

    let assigned = act(&h, json!({"kind": "assign_owner", "practitioner": me})).expect("assigned");
    assert_eq!(assigned["state"], "done", "{assigned}");
    let mine = h.ok(
        "for_me",
        json!({"whom": "me", "overdueOnly": false, "utcOffsetMs": 0}),
    );
    let listed: Vec<_> = mine
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            r["task"]["task_id"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(listed, [id.clone()], "{mine}");

    act(&h, json!({"kind": "comment", "text": "Lab says Friday"})).expect("commented");
    let detail = task(&h);
    assert_eq!(
        detail["notes"].as_array().map(Vec::len),
        Some(1),
        "{detail}"
    );
    assert_eq!(detail["notes"][0]["text"], "Lab says Friday");
    assert_eq!(detail["notes"][0]["author"], me.as_str());

    let done = act(&h, json!({"kind": "complete"})).expect("completed");
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["already"], false, "{done}");
    assert_eq!(detail_status(&task(&h)), "completed");
    let row = h.ok("task_row", json!({"system": "sandbox", "taskId": id}));
    assert_eq!(row["status"], "completed", "one row, as stored: {row}");
    assert_eq!(
        h.ok("task_row", json!({"system": "sandbox", "taskId": "nobody"})),
        Value::Null
    );
    let again = act(&h, json!({"kind": "complete"})).expect("said, not sent");
    assert_eq!(again["already"], true, "{again}");
    let closed = act(&h, json!({"kind": "close"})).expect_err("refused");
    assert!(
        closed.as_str().is_some_and(|s| s.contains("now completed")),
        "{closed}"
    );
    assert_eq!(detail_status(&task(&h)), "completed", "nothing overwritten");
    let mine = h.ok(
        "for_me",
        json!({"whom": "both", "overdueOnly": false, "utcOffsetMs": 0}),
    );
    assert_eq!(mine, json!([]), "done work leaves For me");
    assert_eq!(
        h.ok("unread", json!({})),
        json!([]),
        "my own actions are not news to me"
    );
    assert!(h.notifier.shown().is_empty());
}

fn detail_status(detail: &Value) -> &str {
    detail["row"]["status"].as_str().unwrap_or_default()
}

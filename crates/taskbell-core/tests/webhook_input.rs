//! The webhook endpoint over real HTTP on loopback: every refusal answers the documented status
//! and reason and stores nothing; every accepted shape lands as the right event.
//!
//! Behind the endpoint, a real SQLite store in a temp dir where what is stored and how is the
//! point (replays, store failures, the shapes as rows), and an in-memory sink where the point
//! is the endpoint's own rules (authentication, refusals, limits).

use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use taskbell_core::inbox::signature::{self, unix_now};
use taskbell_core::inbox::sink::MemorySink;
use taskbell_core::inbox::webhook::{self, WebhookConfig, WebhookServer, MAX_BODY};
use taskbell_core::notify::MemoryNotifier;
use taskbell_core::store::EventRow;
use taskbell_core::{Engine, TaskRef};

const SYSTEM: &str = "test-clinic";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const TOKEN: &str = "tb-7f3c2a9e";

/// What the endpoint hands its events to.
enum Behind {
    Store {
        engine: Engine,
        dir: tempfile::TempDir,
    },
    Memory(Arc<MemorySink>),
}

struct Endpoint {
    behind: Behind,
    server: WebhookServer,
    http: reqwest::Client,
}

fn config(secret: Option<&str>, bearer: Option<&str>) -> WebhookConfig {
    let mut config = WebhookConfig::new(SYSTEM);
    config.port = 0;
    config.secret = secret.map(str::to_string);
    config.bearer = bearer.map(str::to_string);
    config
}

/// An endpoint in front of a SQLite store.
async fn stored(secret: Option<&str>, bearer: Option<&str>) -> Endpoint {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = Engine::open(
        &dir.path().join("taskbell.db"),
        Arc::new(MemoryNotifier::default()),
    )
    .expect("engine");
    let server = webhook::start(config(secret, bearer), engine.clone())
        .await
        .expect("start");
    Endpoint {
        behind: Behind::Store { engine, dir },
        server,
        http: reqwest::Client::new(),
    }
}

/// An endpoint in front of an in-memory sink.
async fn endpoint(secret: Option<&str>, bearer: Option<&str>) -> Endpoint {
    let sink = Arc::new(MemorySink::new());
    let server = webhook::start(config(secret, bearer), sink.clone())
        .await
        .expect("start");
    Endpoint {
        behind: Behind::Memory(sink),
        server,
        http: reqwest::Client::new(),
    }
}

struct Answer {
    status: u16,
    body: Value,
    headers: HeaderMap,
}

impl Answer {
    fn reason(&self) -> &str {
        let reason = self.body["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error reason in {}", self.body));
        assert!(!reason.contains('\n'), "reason spans lines: {reason:?}");
        reason
    }

    fn assert_stored(&self, duplicate: bool) {
        assert_eq!(
            (self.status, &self.body),
            (200, &json!({"stored": true, "duplicate": duplicate}))
        );
    }
}

impl Endpoint {
    async fn post(
        &self,
        path: &str,
        body: impl Into<Vec<u8>>,
        headers: &[(&str, String)],
    ) -> Answer {
        let mut req = self
            .http
            .post(format!("{}{path}", self.server.local_url()))
            .body(body.into());
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let resp = req.send().await.expect("send");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            panic!(
                "answer {status} is not JSON ({e}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        Answer {
            status,
            body,
            headers,
        }
    }

    /// A delivery signed as the plugin signs it, with a fresh id.
    async fn deliver(&self, path: &str, body: &[u8]) -> Answer {
        let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        self.post(path, body, &signed(&id, unix_now(), body)).await
    }

    /// Events and tasks stored.
    async fn counts(&self) -> (i64, i64) {
        match &self.behind {
            Behind::Store { engine, .. } => engine
                .read(|s| Ok((s.event_count()?, s.task_count()?)))
                .await
                .expect("counts"),
            Behind::Memory(sink) => {
                let events = sink.events();
                let tasks: std::collections::HashSet<TaskRef> =
                    events.iter().map(|e| e.task.clone()).collect();
                (events.len() as i64, tasks.len() as i64)
            }
        }
    }

    fn engine(&self) -> &Engine {
        match &self.behind {
            Behind::Store { engine, .. } => engine,
            Behind::Memory(_) => panic!("this test needs an endpoint in front of a store"),
        }
    }

    /// The database file, for a connection of its own (as another process would hold).
    fn db(&self) -> std::path::PathBuf {
        match &self.behind {
            Behind::Store { dir, .. } => dir.path().join("taskbell.db"),
            Behind::Memory(_) => panic!("this test needs an endpoint in front of a store"),
        }
    }

    async fn timeline(&self, system: &str, id: &str) -> Vec<EventRow> {
        let task = TaskRef::new(system, id);
        self.engine()
            .read(move |s| s.timeline(&task))
            .await
            .expect("timeline")
    }
}

fn json_type() -> (&'static str, String) {
    ("content-type", "application/json".to_string())
}

fn signed(id: &str, timestamp: i64, body: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        json_type(),
        ("webhook-id", id.to_string()),
        ("webhook-timestamp", timestamp.to_string()),
        (
            "webhook-signature",
            signature::sign(SECRET, id, timestamp, body).expect("sign"),
        ),
    ]
}

fn bearer(token: &str) -> Vec<(&'static str, String)> {
    vec![json_type(), ("authorization", format!("Bearer {token}"))]
}

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../canvas-plugin/schema/examples")
}

fn example(name: &str) -> Vec<u8> {
    std::fs::read(examples_dir().join(name)).expect("example payload")
}

const SEED_DISPOSITION: &str =
    r#"{"task_id": "b6426693-eb5b-4702-9f90-4728972c7f16", "disposition": "completed"}"#;
const SEED_CREATED: &str =
    r#"{"message": "A Task was created!", "resource_id": "7d3e9c1a-2b4f-4e6d-8a0c-1f2e3d4c5b6a"}"#;
const SEED_DETAILED: &str = r#"{"task_id": "12345", "event": "created", "title": "Follow up with patient",
  "patient": {"id": "67890", "first_name": "John", "last_name": "Doe", "birth_date": "1980-05-15", "sex_at_birth": "Male"},
  "creator": null,
  "assignee": {"staff": {"id": "22222", "first_name": "Nurse", "last_name": "Johnson"}, "team": null}}"#;
const FRAGMENT_COMPLETED: &str = r#"{"type": "task.completed",
  "data": {"task": {"id": "1", "status": {"name": "DONE", "userId": "1", "at": "2023-10-27T13:57:12.924742+00:00"}},
           "info": {"externalId": "abc"}},
  "sentAt": "2023-10-27T13:57:12.933484+00:00"}"#;

/// An endpoint in front of an in-memory sink that already holds one event, so that
/// "unchanged" is not just "still empty".
async fn primed(secret: Option<&str>, bearer_token: Option<&str>) -> Endpoint {
    prime(endpoint(secret, bearer_token).await, secret, bearer_token).await
}

/// As [`primed`], in front of a SQLite store.
async fn primed_store(secret: Option<&str>, bearer_token: Option<&str>) -> Endpoint {
    prime(stored(secret, bearer_token).await, secret, bearer_token).await
}

/// `ep`, configured with `secret` and `bearer_token`, once it holds one event.
async fn prime(ep: Endpoint, secret: Option<&str>, bearer_token: Option<&str>) -> Endpoint {
    let body = example("created.json");
    let headers = match (secret, bearer_token) {
        (Some(_), _) => signed("prime", unix_now(), &body),
        (None, Some(t)) => bearer(t),
        (None, None) => vec![],
    };
    if secret.is_some() || bearer_token.is_some() {
        ep.post("/hooks/canvas", body, &headers)
            .await
            .assert_stored(false);
        assert_eq!(ep.counts().await, (1, 1));
    }
    ep
}

#[tokio::test]
async fn bad_or_missing_signatures_are_401_and_store_nothing() {
    let ep = primed(Some(SECRET), None).await;
    let body = example("completed.json");
    let now = unix_now();

    let unsigned = ep.post("/hooks/canvas", body.clone(), &[json_type()]).await;
    assert_eq!(unsigned.status, 401);
    assert_eq!(unsigned.reason(), "the request has no webhook-id header");

    let mut no_signature = signed("m1", now, &body);
    no_signature.retain(|(k, _)| *k != "webhook-signature");
    let a = ep.post("/hooks/canvas", body.clone(), &no_signature).await;
    assert_eq!(
        (a.status, a.reason()),
        (401, "the request has no webhook-signature header")
    );

    let mut forged = signed("m1", now, &body);
    forged[3].1 = signature::sign("whsec_c29tZW9uZSBlbHNl", "m1", now, &body).expect("sign");
    let a = ep.post("/hooks/canvas", body.clone(), &forged).await;
    assert_eq!(a.status, 401);
    assert!(
        a.reason().contains("matches no v1 signature"),
        "{}",
        a.reason()
    );

    // Signed for another body: the signature covers every byte.
    let a = ep
        .post(
            "/hooks/canvas",
            example("closed.json"),
            &signed("m1", now, &body),
        )
        .await;
    assert_eq!(a.status, 401);

    assert_eq!(ep.counts().await, (1, 1));
}

#[tokio::test]
async fn stale_and_future_timestamps_are_400_and_store_nothing() {
    let ep = primed(Some(SECRET), None).await;
    let body = example("completed.json");

    let stale = ep
        .post(
            "/hooks/canvas",
            body.clone(),
            &signed("m2", unix_now() - 10 * 60, &body),
        )
        .await;
    assert_eq!(stale.status, 400);
    assert!(
        stale.reason().starts_with("the webhook-timestamp is 6"),
        "{}",
        stale.reason()
    );
    assert!(stale.reason().contains("s old"), "{}", stale.reason());

    let future = ep
        .post(
            "/hooks/canvas",
            body.clone(),
            &signed("m3", unix_now() + 10 * 60, &body),
        )
        .await;
    assert_eq!(future.status, 400);
    assert!(
        future.reason().contains("in the future"),
        "{}",
        future.reason()
    );

    let fresh = ep
        .post(
            "/hooks/canvas",
            body.clone(),
            &signed("m4", unix_now(), &body),
        )
        .await;
    fresh.assert_stored(false);
    assert_eq!(ep.counts().await, (2, 2));
}

#[tokio::test]
async fn malformed_json_and_unknown_shapes_are_400_and_store_nothing() {
    let ep = primed(Some(SECRET), None).await;
    let cases: [(&str, &[u8], &str); 8] = [
        (
            "/hooks/canvas",
            b"{\"version\": 1,",
            "the body is not valid JSON: ",
        ),
        (
            "/hooks/canvas",
            b"\xff\xfe{}",
            "the body is not valid JSON: ",
        ),
        (
            "/hooks/fragment",
            br#"{"version": 1, "event_id": "x", "task": {"id": "t"}}"#,
            "a Fragment payload without type",
        ),
        ("/hooks/canvas", b"", "the body is not valid JSON: "),
        ("/hooks/canvas", b"[1, 2]", "expected a JSON object"),
        (
            "/hooks/canvas",
            br#"{"hello": "world"}"#,
            "unknown payload shape: ",
        ),
        (
            "/hooks/canvas",
            br#"{"version": 3, "event_id": "x", "task": {"id": "t"}}"#,
            "unsupported taskbell_relay payload version",
        ),
        (
            "/hooks/fragment",
            br#"{"type": "task.deleted", "data": {"task": {"id": "1"}}}"#,
            "unknown Fragment event type",
        ),
    ];
    for (path, body, reason) in cases {
        let a = ep.deliver(path, body).await;
        assert_eq!(a.status, 400, "{path} {}", String::from_utf8_lossy(body));
        assert!(
            a.reason().starts_with(reason),
            "{:?} does not start with {reason:?}",
            a.reason()
        );
    }
    assert_eq!(ep.counts().await, (1, 1));
}

#[tokio::test]
async fn a_replayed_delivery_is_200_duplicate_and_stores_one_event() {
    let ep = primed_store(Some(SECRET), None).await;
    for (path, body) in [
        ("/hooks/canvas", example("completed.json")),
        ("/hooks/canvas", SEED_CREATED.as_bytes().to_vec()),
        ("/hooks/fragment", FRAGMENT_COMPLETED.as_bytes().to_vec()),
    ] {
        let before = ep.counts().await.0;
        let headers = signed(
            &format!("msg_{}", uuid::Uuid::new_v4().simple()),
            unix_now(),
            &body,
        );
        ep.post(path, body.clone(), &headers)
            .await
            .assert_stored(false);
        ep.post(path, body.clone(), &headers)
            .await
            .assert_stored(true);
        assert_eq!(ep.counts().await.0, before + 1, "{path}");
    }
}

#[tokio::test]
async fn bodies_over_256_kib_are_413_and_store_nothing() {
    let ep = primed(Some(SECRET), None).await;

    let mut payload: Value = serde_json::from_slice(&example("updated.json")).expect("json");
    payload["task"]["title"] = json!("");
    let bare = serde_json::to_vec(&payload).expect("json").len();
    payload["task"]["title"] = json!("x".repeat(MAX_BODY - bare));
    let at_limit = serde_json::to_vec(&payload).expect("json");
    assert_eq!(at_limit.len(), MAX_BODY);
    ep.deliver("/hooks/canvas", &at_limit)
        .await
        .assert_stored(false);

    let mut over = payload.clone();
    over["event_id"] = json!("11111111-2222-4333-8444-555555555555");
    over["task"]["title"] = json!("x".repeat(MAX_BODY));
    let over = serde_json::to_vec(&over).expect("json");
    let a = ep.deliver("/hooks/canvas", &over).await;
    assert_eq!(
        (a.status, a.reason()),
        (413, "the body is larger than 256 KiB")
    );
    // Far over: refused on its Content-Length, before anyone reads it.
    let a = ep
        .post("/hooks/canvas", vec![b' '; 8 * MAX_BODY], &[json_type()])
        .await;
    assert_eq!(a.status, 413);
    assert_eq!(ep.counts().await, (2, 1));
}

#[tokio::test]
async fn bodies_not_sent_as_json_are_415_and_store_nothing() {
    let ep = primed(Some(SECRET), None).await;
    let body = example("completed.json");
    let now = unix_now();

    let mut as_text = signed("m5", now, &body);
    as_text[0].1 = "text/plain".into();
    let a = ep.post("/hooks/canvas", body.clone(), &as_text).await;
    assert_eq!(
        (a.status, a.reason()),
        (
            415,
            "the body must be sent as Content-Type: application/json"
        )
    );

    let mut untyped = signed("m6", now, &body);
    untyped.remove(0);
    let a = ep.post("/hooks/canvas", body.clone(), &untyped).await;
    assert_eq!(a.status, 415);

    let mut with_charset = signed("m7", now, &body);
    with_charset[0].1 = "application/json; charset=utf-8".into();
    ep.post("/hooks/canvas", body.clone(), &with_charset)
        .await
        .assert_stored(false);
    assert_eq!(ep.counts().await, (2, 2));
}

#[tokio::test]
async fn a_store_failure_is_503_and_the_retry_succeeds() {
    let ep = primed_store(Some(SECRET), None).await;
    // Another connection to the same file, as another process would hold.
    rusqlite::Connection::open(ep.db())
        .and_then(|c| {
            c.execute_batch(
                "CREATE TRIGGER refuse BEFORE INSERT ON task_events BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;",
            )
        })
        .expect("install failing trigger");
    let body = example("completed.json");
    let headers = signed("retry-me", unix_now(), &body);

    let a = ep.post("/hooks/canvas", body.clone(), &headers).await;
    assert_eq!(a.status, 503);
    // The store's own words stay in our log: the answer may be read by anyone with the URL.
    assert_eq!(a.reason(), webhook::STORE_FAILED);
    assert!(!a.body.to_string().contains("disk on fire"), "{}", a.body);
    assert_eq!(
        a.headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("5")
    );
    assert_eq!(ep.counts().await, (1, 1));

    rusqlite::Connection::open(ep.db())
        .and_then(|c| c.execute_batch("DROP TRIGGER refuse"))
        .expect("drop trigger");
    ep.post("/hooks/canvas", body, &headers)
        .await
        .assert_stored(false);
    assert_eq!(ep.counts().await, (2, 2));
}

#[tokio::test]
async fn routes_and_methods_outside_the_api_answer_json() {
    let ep = endpoint(Some(SECRET), None).await;
    let base = ep.server.local_url();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let health = ep
        .http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(
        health.json::<Value>().await.expect("json"),
        json!({"ok": true})
    );

    let a = ep.post("/hooks/elsewhere", "{}", &[json_type()]).await;
    assert_eq!(a.status, 404);
    assert!(a.reason().starts_with("no such endpoint"));

    let get = ep
        .http
        .get(format!("{base}/hooks/canvas"))
        .send()
        .await
        .expect("get");
    assert_eq!(get.status().as_u16(), 405);
    let body: Value = get.json().await.expect("json answer");
    assert_eq!(body["error"], "this endpoint takes POST");
    assert_eq!(ep.counts().await, (0, 0));
}

#[tokio::test]
async fn bearer_only_takes_the_token_and_nothing_else() {
    let ep = primed(None, Some(TOKEN)).await;
    let body = example("completed.json");

    let a = ep.post("/hooks/canvas", body.clone(), &[json_type()]).await;
    assert_eq!(
        (a.status, a.reason()),
        (401, "missing Authorization: Bearer <token>")
    );
    let a = ep
        .post("/hooks/canvas", body.clone(), &bearer("tb-7f3c2a9"))
        .await;
    assert_eq!(
        (a.status, a.reason()),
        (401, "the bearer token does not match")
    );
    let a = ep
        .post(
            "/hooks/canvas",
            body.clone(),
            &[json_type(), ("authorization", TOKEN.to_string())],
        )
        .await;
    assert_eq!(a.status, 401, "a token without the Bearer scheme");
    // A signature proves nothing to an endpoint that holds no secret.
    let a = ep
        .post(
            "/hooks/canvas",
            body.clone(),
            &signed("m8", unix_now(), &body),
        )
        .await;
    assert_eq!(a.status, 401);
    assert_eq!(ep.counts().await, (1, 1));

    ep.post("/hooks/canvas", body, &bearer(TOKEN))
        .await
        .assert_stored(false);
    assert_eq!(ep.counts().await, (2, 2));
}

#[tokio::test]
async fn signature_only_refuses_a_bearer_token() {
    let ep = primed(Some(SECRET), None).await;
    let body = example("completed.json");
    let a = ep.post("/hooks/canvas", body.clone(), &bearer(TOKEN)).await;
    assert_eq!(
        (a.status, a.reason()),
        (401, "the request has no webhook-id header")
    );
    assert_eq!(ep.counts().await, (1, 1));
}

#[tokio::test]
async fn with_both_configured_either_proves_the_sender_and_both_are_checked() {
    let ep = primed(Some(SECRET), Some(TOKEN)).await;
    let body = example("completed.json");

    let a = ep.post("/hooks/canvas", body.clone(), &[json_type()]).await;
    assert_eq!(a.status, 401);
    assert!(
        a.reason()
            .starts_with("expected a Standard Webhooks signature"),
        "{}",
        a.reason()
    );

    let mut good_sig_bad_token = signed("m9", unix_now(), &body);
    good_sig_bad_token.push(("authorization", "Bearer nope".into()));
    assert_eq!(
        ep.post("/hooks/canvas", body.clone(), &good_sig_bad_token)
            .await
            .status,
        401
    );

    let mut good_token_bad_sig = bearer(TOKEN);
    good_token_bad_sig.extend(
        signed("m9", unix_now(), b"another body")
            .into_iter()
            .skip(1),
    );
    assert_eq!(
        ep.post("/hooks/canvas", body.clone(), &good_token_bad_sig)
            .await
            .status,
        401
    );
    assert_eq!(ep.counts().await, (1, 1));

    ep.post("/hooks/canvas", body.clone(), &bearer(TOKEN))
        .await
        .assert_stored(false);
    let closed = example("closed.json");
    ep.post(
        "/hooks/canvas",
        closed.clone(),
        &signed("m10", unix_now(), &closed),
    )
    .await
    .assert_stored(false);
    assert_eq!(ep.counts().await, (3, 3));
}

#[tokio::test]
async fn with_nothing_configured_everything_is_refused() {
    let ep = endpoint(None, None).await;
    let body = example("created.json");
    for headers in [
        vec![json_type()],
        bearer(TOKEN),
        signed("m11", unix_now(), &body),
    ] {
        let a = ep.post("/hooks/canvas", body.clone(), &headers).await;
        assert_eq!(a.status, 401);
        assert!(
            a.reason().contains("nothing is configured"),
            "{}",
            a.reason()
        );
    }
    let a = ep
        .post("/hooks/fragment", FRAGMENT_COMPLETED, &[json_type()])
        .await;
    assert_eq!(a.status, 401);
    assert_eq!(ep.counts().await, (0, 0));
}

fn only(rows: Vec<EventRow>) -> EventRow {
    assert_eq!(rows.len(), 1, "{rows:?}");
    rows.into_iter().next().expect("one row")
}

#[tokio::test]
async fn each_plugin_example_is_stored_as_its_event() {
    let ep = stored(Some(SECRET), None).await;
    // (file, task id, kind, status after), in the order a task's life would send them.
    let cases = [
        (
            "created.json",
            "5f72fbcc-10ac-48ff-a2d2-02b229c38ce9",
            "created",
            "open",
        ),
        (
            "updated.json",
            "5f72fbcc-10ac-48ff-a2d2-02b229c38ce9",
            "updated",
            "open",
        ),
        (
            "commented.json",
            "5f72fbcc-10ac-48ff-a2d2-02b229c38ce9",
            "commented",
            "open",
        ),
        (
            "completed.json",
            "b6426693-eb5b-4702-9f90-4728972c7f16",
            "completed",
            "completed",
        ),
        (
            "closed.json",
            "e2f7a9c4-3b1d-4e8f-a6c5-7d9b0e1f2a3c",
            "closed",
            "closed",
        ),
    ];
    for (file, task, kind, status) in cases {
        let body = example(file);
        let event_id = serde_json::from_slice::<Value>(&body).expect("json")["event_id"]
            .as_str()
            .expect("id")
            .to_string();
        ep.post(
            "/hooks/canvas",
            body.clone(),
            &signed(&event_id, unix_now(), &body),
        )
        .await
        .assert_stored(false);
        let rows = ep.timeline(SYSTEM, task).await;
        let row = only(rows.into_iter().filter(|r| r.kind == kind).collect());
        assert_eq!(
            (row.status_after.as_deref(), row.source.as_str()),
            (Some(status), "webhook"),
            "{file}"
        );
    }
    assert_eq!(ep.counts().await, (5, 3));
    // The examples' comment (14:00:12Z) predates their update (09:30-05:00, i.e. 14:30Z): it
    // joins the timeline but changes nothing, and the timeline is in the order things happened.
    let kinds: Vec<String> = ep
        .timeline(SYSTEM, "5f72fbcc-10ac-48ff-a2d2-02b229c38ce9")
        .await
        .into_iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(kinds, ["created", "commented", "updated"]);

    let task = TaskRef::new(SYSTEM, "5f72fbcc-10ac-48ff-a2d2-02b229c38ce9");
    let row = ep
        .engine()
        .read(move |s| s.task(&task))
        .await
        .expect("read")
        .expect("task row");
    assert_eq!(row.description, "Follow up with patient about lab results");
    assert_eq!(
        (row.assignee_id.as_deref(), row.assignee_name.as_deref()),
        (
            Some("b7e1c2d3f4a5468798a9b0c1d2e3f405"),
            Some("Omar Haddad")
        )
    );
    assert_eq!(row.labels, ["Urgent"]);
    assert_eq!(
        row.requester_id.as_deref(),
        Some("4150cd20de8a470aa570a852859ac87e")
    );
    let done = only(
        ep.timeline(SYSTEM, "e2f7a9c4-3b1d-4e8f-a6c5-7d9b0e1f2a3c")
            .await,
    );
    assert_eq!(
        done.actor.as_deref(),
        Some("a02cbf4d9a5c4e6b8f1d2e3c4b5a6978")
    );
}

#[tokio::test]
async fn each_seed_shape_is_stored_as_its_event() {
    let ep = stored(None, Some(TOKEN)).await;
    for body in [SEED_DISPOSITION, SEED_CREATED, SEED_DETAILED] {
        ep.post("/hooks/canvas", body, &bearer(TOKEN))
            .await
            .assert_stored(false);
    }
    let done = only(
        ep.timeline(SYSTEM, "b6426693-eb5b-4702-9f90-4728972c7f16")
            .await,
    );
    assert_eq!(
        (done.kind.as_str(), done.status_after.as_deref()),
        ("completed", Some("completed"))
    );
    let created = only(
        ep.timeline(SYSTEM, "7d3e9c1a-2b4f-4e6d-8a0c-1f2e3d4c5b6a")
            .await,
    );
    assert_eq!(
        (created.kind.as_str(), created.status_after.as_deref()),
        ("created", Some("open"))
    );
    let detailed = only(ep.timeline(SYSTEM, "12345").await);
    assert_eq!(
        (detailed.kind.as_str(), detailed.status_after.as_deref()),
        ("created", Some("open"))
    );
    assert_eq!(detailed.detail["owner"], "Nurse Johnson");

    let task = TaskRef::new(SYSTEM, "12345");
    let row = ep
        .engine()
        .read(move |s| s.task(&task))
        .await
        .expect("read")
        .expect("task row");
    assert_eq!(row.description, "Follow up with patient");
    assert_eq!(
        (row.patient_id.as_deref(), row.patient_name.as_deref()),
        (Some("67890"), Some("John Doe"))
    );
    assert_eq!(
        (row.team_name, row.due_at, row.requester_id),
        (None, None, None)
    );
    assert_eq!(ep.counts().await, (3, 3));
}

#[tokio::test]
async fn a_fragment_event_is_stored_under_fragment_with_its_external_id() {
    let ep = stored(Some(SECRET), None).await;
    ep.deliver("/hooks/fragment", FRAGMENT_COMPLETED.as_bytes())
        .await
        .assert_stored(false);
    let row = only(ep.timeline("fragment", "1").await);
    assert_eq!(
        (
            row.kind.as_str(),
            row.status_after.as_deref(),
            row.source.as_str()
        ),
        ("completed", Some("completed"), "fragment")
    );
    assert_eq!(row.actor.as_deref(), Some("1"));
    assert_eq!(row.detail["external_id"], "abc");

    let task = TaskRef::new("fragment", "1");
    let task_row = ep
        .engine()
        .read(move |s| s.task(&task))
        .await
        .expect("read")
        .expect("task row");
    assert_eq!(task_row.external_id.as_deref(), Some("abc"));
    // Filed under Fragment, never under the configured Canvas system.
    assert!(ep.timeline(SYSTEM, "1").await.is_empty());
}

#[tokio::test]
async fn shutdown_stops_answering() {
    let ep = endpoint(Some(SECRET), None).await;
    let url = format!("{}/healthz", ep.server.local_url());
    assert_eq!(
        ep.http
            .get(&url)
            .send()
            .await
            .expect("up")
            .status()
            .as_u16(),
        200
    );
    let Endpoint { server, .. } = ep;
    server.shutdown().await;
    assert!(
        reqwest::Client::new().get(&url).send().await.is_err(),
        "still answering after shutdown"
    );
}

//! Helpers shared by the integration tests: start a sandbox, get a token, make tasks.
#![allow(dead_code)]

pub mod shape;
pub mod ws;

use canvas_sandbox::{Sandbox, SandboxConfig};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

pub async fn start() -> Sandbox {
    start_with(SandboxConfig::default()).await
}

pub async fn start_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.expect("sandbox starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// The token exchange's whole answer, headers included.
pub async fn token_response(sb: &Sandbox) -> reqwest::Response {
    let config = sb.config();
    http()
        .post(sb.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", config.client_id.as_str()),
            ("client_secret", config.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap()
}

pub async fn token(sb: &Sandbox) -> String {
    let response = token_response(sb).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// A sandbox, a token and a client in one go.
pub struct Api {
    pub sb: Sandbox,
    pub token: String,
    pub http: reqwest::Client,
}

impl Api {
    pub async fn new() -> Api {
        Api::with(SandboxConfig::default()).await
    }

    pub async fn with(config: SandboxConfig) -> Api {
        let sb = start_with(config).await;
        let token = token(&sb).await;
        Api {
            sb,
            token,
            http: http(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sb.fhir_base(), path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_json(&self, path: &str) -> (StatusCode, Value) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.json().await.unwrap())
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// PUTs `body` as a careful client would: without what the docs mark read-only (see
    /// [`writable`]), so a test may start from a task it read.
    pub async fn put(&self, id: &str, body: &Value) -> Response {
        self.put_raw(id, &writable(body)).await
    }

    /// PUTs `body` exactly as given.
    pub async fn put_raw(&self, id: &str, body: &Value) -> Response {
        self.http
            .put(self.url(&format!("/Task/{id}")))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Creates a task and returns its id, taken from `Location`.
    pub async fn create(&self, body: &Value) -> String {
        let response = self.post("/Task", body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        location
            .rsplit_once("/Task/")
            .unwrap()
            .1
            .split('/')
            .next()
            .unwrap()
            .to_owned()
    }

    pub async fn task(&self, id: &str) -> Value {
        let (status, body) = self.get_json(&format!("/Task/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        body
    }

    /// A minimal valid Task body.
    pub fn body(&self, description: &str) -> Value {
        task_body(&self.sb, description)
    }
}

const PERMALINK_EXT: &str = "http://schemas.canvasmedical.com/fhir/extensions/task-permalink";
pub const GROUP_EXT: &str = "http://schemas.canvasmedical.com/fhir/extensions/task-group";

/// The `Group/<id>` reference in a task's task-group extension, if it has one.
pub fn team_of(task: &Value) -> Option<&str> {
    task["extension"]
        .as_array()?
        .iter()
        .find(|e| e["url"] == GROUP_EXT)?["valueReference"]["reference"]
        .as_str()
}

/// `task` without the attributes task.md marks `exclude_in: create, update`: `lastModified`,
/// every reference's `type`, the team's `type` and `display`, the permalink extension.
pub fn writable(task: &Value) -> Value {
    let mut t = task.clone();
    let Some(obj) = t.as_object_mut() else {
        return t;
    };
    obj.remove("lastModified");
    for key in ["for", "requester", "owner"] {
        if let Some(r) = obj.get_mut(key).and_then(Value::as_object_mut) {
            r.remove("type");
        }
    }
    if let Some(notes) = obj.get_mut("note").and_then(Value::as_array_mut) {
        for n in notes {
            if let Some(r) = n.get_mut("authorReference").and_then(Value::as_object_mut) {
                r.remove("type");
            }
        }
    }
    if let Some(exts) = obj.get_mut("extension").and_then(Value::as_array_mut) {
        exts.retain(|e| e["url"] != PERMALINK_EXT);
        for e in exts.iter_mut() {
            if let Some(r) = e.get_mut("valueReference").and_then(Value::as_object_mut) {
                r.remove("type");
                r.remove("display");
            }
        }
    }
    t
}

/// A comment by the seeded requester: Canvas requires every note's author.
pub fn note(sb: &Sandbox, text: &str) -> Value {
    json!({"text": text, "authorReference": {"reference": format!("Practitioner/{}", sb.clinic().requester)}})
}

pub fn task_body(sb: &Sandbox, description: &str) -> Value {
    json!({
        "resourceType": "Task",
        "status": "requested",
        "intent": "unknown",
        "description": description,
        "requester": {"reference": format!("Practitioner/{}", sb.clinic().requester)},
    })
}

/// The issue code and text of an OperationOutcome.
pub async fn outcome(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["resourceType"], "OperationOutcome", "{body}");
    let issue = &body["issue"][0];
    assert_eq!(issue["severity"], "error");
    (
        status,
        issue["code"].as_str().unwrap().to_owned(),
        issue["details"]["text"].as_str().unwrap().to_owned(),
    )
}

pub fn ids(bundle: &Value) -> Vec<String> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["resource"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A paging link: relative to the FHIR base (`/Task?…`), as Canvas writes them; `Api::get`
/// takes it as is.
pub fn link(bundle: &Value, relation: &str) -> Option<String> {
    bundle["link"]
        .as_array()?
        .iter()
        .find(|l| l["relation"] == relation)
        .map(|l| l["url"].as_str().unwrap().to_owned())
}

/// A time in Canvas's `lastModified` shape, `2023-10-22T21:06:27.893521+00:00`: RFC 3339 in
/// UTC with exactly six fractional digits and a `+00:00` offset (never `Z`).
pub fn assert_canvas_micros(value: &Value) -> time::OffsetDateTime {
    let s = value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"));
    let shape_ok = s.len() == 32
        && s.get(19..20) == Some(".")
        && s.get(20..26)
            .is_some_and(|f| f.bytes().all(|b| b.is_ascii_digit()))
        && s.ends_with("+00:00");
    assert!(shape_ok, "not YYYY-MM-DDTHH:MM:SS.ffffff+00:00: {s}");
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// `t` written as Canvas writes `lastModified`.
pub fn fmt_micros(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]+00:00"
    );
    t.to_offset(time::UtcOffset::UTC).format(&f).unwrap()
}

/// Seconds between `t` and what the sandbox's clock should read now (the machine's plus
/// `offset`), whichever way.
pub fn skew_secs(t: time::OffsetDateTime, offset: time::Duration) -> i64 {
    (t - (time::OffsetDateTime::now_utc() + offset))
        .whole_seconds()
        .abs()
}

/// The `Date` header of an answer, which must be an IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn date_header(response: &Response) -> time::OffsetDateTime {
    let raw = response
        .headers()
        .get("date")
        .expect("a Date header")
        .to_str()
        .unwrap();
    assert!(
        raw.len() == 29 && raw.get(3..5) == Some(", ") && raw.ends_with(" GMT"),
        "not an IMF-fixdate: {raw}"
    );
    let t = httpdate::parse_http_date(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
    time::OffsetDateTime::from(t)
}

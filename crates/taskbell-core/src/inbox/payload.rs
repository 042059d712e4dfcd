//! The payload shapes Taskbell accepts, mapped to task events: the companion plugin's (version 1,
//! `canvas-plugin/schema/`), the three seed plugins' (CANVAS.md §5) and Fragment's event objects.

use crate::task::{EventKind, Party, Source, TaskEvent, TaskRef, TaskSnapshot, TaskStatus};
use crate::time_util::parse_rfc3339;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// Fragment tasks live in their own system, whatever Canvas instance is configured.
pub const FRAGMENT_SYSTEM: &str = "fragment";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PayloadError {
    #[error("the body is not valid JSON: {0}")]
    Malformed(String),
    #[error("{0}")]
    Unknown(String),
}

/// Where a delivery came from, and the transport's own id for it (`webhook-id`), if any.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    pub source: Source,
    pub transport_id: Option<&'a str>,
}

fn parse_json(body: &[u8]) -> Result<Value, PayloadError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| PayloadError::Malformed(e.to_string()))?;
    if !v.is_object() {
        return Err(PayloadError::Unknown("expected a JSON object".into()));
    }
    Ok(v)
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn required<'a>(v: &'a Value, pointer: &str, shape: &str) -> Result<&'a str, PayloadError> {
    str_at(v, pointer).ok_or_else(|| PayloadError::Unknown(format!("{shape} payload without {}", &pointer[1..])))
}

/// The delivery key: the payload's own event id, else the transport's id, else the body's
/// hash (a redelivered body is the same delivery; the seed plugins send no id at all).
/// The key of a companion plugin event: its own id, whatever carried it.
pub(crate) fn relay_key(event_id: &str) -> String {
    format!("relay:{event_id}")
}

fn delivery_key(prefix: &str, own_id: Option<&str>, d: Delivery, body: &[u8]) -> String {
    match (own_id, d.transport_id) {
        (Some(id), _) => format!("{prefix}:{id}"),
        (None, Some(id)) => format!("{prefix}:wh:{id}"),
        (None, None) => format!("{prefix}:sha256:{:x}", Sha256::digest(body)),
    }
}

fn person(v: Option<&Value>) -> Option<Party> {
    let v = v.filter(|v| v.is_object())?;
    let id = v.get("id").and_then(Value::as_str)?.to_string();
    let name = [v.get("first_name"), v.get("last_name")]
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let display = (!name.is_empty()).then_some(name).or_else(|| v.get("name").and_then(Value::as_str).map(str::to_string));
    Some(Party { id, display })
}

fn event(key: String, system: &str, id: &str, kind: EventKind, d: Delivery) -> TaskEvent {
    TaskEvent {
        delivery_key: key,
        task: TaskRef::new(system, id),
        kind,
        source: d.source,
        occurred_at: OffsetDateTime::now_utc(),
        status: None,
        actor: None,
        snapshot: TaskSnapshot::default(),
        external_id: None,
    }
}

/// A delivery to the Canvas endpoint or from the plugin socket, for the instance `system`.
pub fn parse_canvas(system: &str, body: &[u8], d: Delivery) -> Result<TaskEvent, PayloadError> {
    match super::relay_wire::parse(system, body, d) {
        Some(e) => Ok(e),
        None => parse_canvas_tree(system, body, d),
    }
}

/// Every shape, read through a JSON tree: the reader that explains what it refuses.
pub(crate) fn parse_canvas_tree(system: &str, body: &[u8], d: Delivery) -> Result<TaskEvent, PayloadError> {
    let v = parse_json(body)?;
    // Canvas's socket frames may wrap the payload as {"message": {...}}.
    let v = match v.get("message") {
        Some(inner) if inner.is_object() => inner.clone(),
        _ => v,
    };
    if v.get("event_id").is_some() && v.get("task").is_some() {
        relay(system, &v, d)
    } else if v.get("disposition").is_some() {
        seed_disposition(system, &v, d, body)
    } else if v.get("resource_id").is_some() {
        seed_created(system, &v, d, body)
    } else if v.get("task_id").is_some() && v.get("event").is_some() {
        seed_detailed(system, &v, d, body)
    } else {
        Err(PayloadError::Unknown(
            "unknown payload shape: expected a taskbell_relay event or one of the documented task webhooks".into(),
        ))
    }
}

fn relay(system: &str, v: &Value, d: Delivery) -> Result<TaskEvent, PayloadError> {
    let shape = "a taskbell_relay";
    if v.get("version").and_then(Value::as_i64) != Some(1) {
        return Err(PayloadError::Unknown("unsupported taskbell_relay payload version (expected 1)".into()));
    }
    let event_id = required(v, "/event_id", shape)?;
    let id = required(v, "/task/id", shape)?;
    let kind = match required(v, "/event", shape)? {
        "created" => EventKind::Created,
        "updated" => EventKind::Updated,
        "completed" => EventKind::Completed,
        "closed" => EventKind::Closed,
        "commented" => EventKind::Commented,
        other => return Err(PayloadError::Unknown(format!("unknown taskbell_relay event {other:?}"))),
    };
    let status = match str_at(v, "/task/status") {
        Some(s) => Some(s.parse::<TaskStatus>().map_err(PayloadError::Unknown)?),
        None => None,
    };
    let mut e = event(relay_key(event_id), system, id, kind, d);
    e.status = status;
    if let Some(at) = str_at(v, "/occurred_at") {
        e.occurred_at = parse_rfc3339(at).ok_or_else(|| PayloadError::Unknown(format!("occurred_at {at:?} is not RFC 3339")))?;
    }
    e.actor = str_at(v, "/actor/id").map(str::to_string);
    e.snapshot = TaskSnapshot {
        description: str_at(v, "/task/title").map(str::to_string),
        patient: person(v.get("patient")),
        owner: person(v.pointer("/assignee/staff")),
        team: person(v.pointer("/assignee/team")),
        requester: person(v.get("creator")),
        due: str_at(v, "/task/due").and_then(parse_rfc3339),
        labels: v.pointer("/task/labels").and_then(Value::as_array).map(|ls| {
            ls.iter().filter_map(Value::as_str).map(str::to_string).collect()
        }),
        permalink: str_at(v, "/task/permalink").map(str::to_string),
        ..Default::default()
    };
    Ok(e)
}

/// Seed 000: `{"task_id", "disposition": "completed" | "closed"}`.
fn seed_disposition(system: &str, v: &Value, d: Delivery, body: &[u8]) -> Result<TaskEvent, PayloadError> {
    let id = required(v, "/task_id", "a task disposition")?;
    let (kind, status) = match str_at(v, "/disposition") {
        Some("completed") => (EventKind::Completed, TaskStatus::Completed),
        Some("closed") => (EventKind::Closed, TaskStatus::Closed),
        other => return Err(PayloadError::Unknown(format!("disposition must be completed or closed, not {other:?}"))),
    };
    let mut e = event(delivery_key("seed", None, d, body), system, id, kind, d);
    e.status = Some(status);
    Ok(e)
}

/// Seed 001: `{"message": "A Task was created!", "resource_id"}` (or "updated").
fn seed_created(system: &str, v: &Value, d: Delivery, body: &[u8]) -> Result<TaskEvent, PayloadError> {
    let id = required(v, "/resource_id", "a task webhook")?;
    let message = str_at(v, "/message").unwrap_or_default().to_ascii_lowercase();
    let kind = if message.contains("updated") { EventKind::Updated } else { EventKind::Created };
    Ok(event(delivery_key("seed", None, d, body), system, id, kind, d))
}

/// Seed 002: `task_id`, `event` (created/updated), `title`, `due_date`, `patient`, `creator`,
/// `assignee{staff, team}`. Its team is always null; its due date may be missing.
fn seed_detailed(system: &str, v: &Value, d: Delivery, body: &[u8]) -> Result<TaskEvent, PayloadError> {
    let id = required(v, "/task_id", "a task webhook")?;
    let kind = match str_at(v, "/event") {
        Some("created") => EventKind::Created,
        Some("updated") => EventKind::Updated,
        other => return Err(PayloadError::Unknown(format!("event must be created or updated, not {other:?}"))),
    };
    let mut e = event(delivery_key("seed", None, d, body), system, id, kind, d);
    e.snapshot = TaskSnapshot {
        description: str_at(v, "/title").map(str::to_string),
        patient: person(v.get("patient")),
        owner: person(v.pointer("/assignee/staff")),
        team: person(v.pointer("/assignee/team")),
        requester: person(v.get("creator")),
        due: str_at(v, "/due_date").and_then(parse_rfc3339),
        ..Default::default()
    };
    Ok(e)
}

/// A Fragment webhook event object (seed 003).
pub fn parse_fragment(body: &[u8], d: Delivery) -> Result<TaskEvent, PayloadError> {
    let v = parse_json(body)?;
    let shape = "a Fragment";
    let kind = match required(&v, "/type", shape)? {
        "task.assigned" => EventKind::Assigned,
        "task.unassigned" => EventKind::Unassigned,
        "task.started" => EventKind::Started,
        "task.paused" => EventKind::Paused,
        "task.completed" => EventKind::Completed,
        other => return Err(PayloadError::Unknown(format!("unknown Fragment event type {other:?}"))),
    };
    let id = required(&v, "/data/task/id", shape)?;
    let status_name = str_at(&v, "/data/task/status/name");
    let at = str_at(&v, "/data/task/status/at").or_else(|| str_at(&v, "/sentAt"));
    let own_id = format!("{id}:{}:{}", kind.as_str(), at.unwrap_or("-"));
    let mut e = event(delivery_key(FRAGMENT_SYSTEM, at.map(|_| own_id.as_str()), d, body), FRAGMENT_SYSTEM, id, kind, d);
    e.status = Some(if status_name == Some("DONE") || kind == EventKind::Completed {
        TaskStatus::Completed
    } else {
        TaskStatus::Open
    });
    if let Some(at) = at {
        e.occurred_at = parse_rfc3339(at).ok_or_else(|| PayloadError::Unknown(format!("status.at {at:?} is not RFC 3339")))?;
    }
    e.actor = str_at(&v, "/data/task/status/userId").map(str::to_string);
    e.external_id = str_at(&v, "/data/info/externalId").map(str::to_string);
    Ok(e)
}

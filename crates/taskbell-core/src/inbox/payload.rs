//! The payload shapes Taskbell accepts, mapped to task events: the companion plugin's (versions 1
//! and 2, `canvas-plugin/schema/`), the three seed plugins' (CANVAS.md §5) and Fragment's event
//! objects. Each shape has one typed reader; a refusal names the field that was wrong.
//!
//! Only a payload that carries the system's own time for the task's state (the plugin's version
//! 2 `task.modified`, Fragment's `status.at`) is a state. Everything else is a hint: the engine
//! reads the task from Canvas rather than trust an event it cannot order.

use crate::task::{EventKind, Party, Source, TaskEvent, TaskRef, TaskSnapshot, TaskStatus};
use crate::time_util::parse_rfc3339;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// Fragment tasks live in their own system, whatever Canvas instance is configured.
pub const FRAGMENT_SYSTEM: &str = "fragment";

/// The newest companion plugin payload version this reader knows.
pub const RELAY_VERSION: u32 = 2;

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

fn unknown(msg: impl Into<String>) -> PayloadError {
    PayloadError::Unknown(msg.into())
}

fn parse_json(body: &[u8]) -> Result<Value, PayloadError> {
    let v: Value =
        serde_json::from_slice(body).map_err(|e| PayloadError::Malformed(e.to_string()))?;
    if !v.is_object() {
        return Err(unknown("expected a JSON object"));
    }
    Ok(v)
}

/// Reads `v` as the shape `T`, naming the offending field when it does not fit.
fn typed<T: DeserializeOwned>(v: Value, shape: &str) -> Result<T, PayloadError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string().replace('.', "/");
        match path.as_str() {
            "." | "" => unknown(format!("{shape} payload: {}", e.inner())),
            _ => unknown(format!("{shape} payload: {path}: {}", e.inner())),
        }
    })
}

/// Empty strings count as absent: senders fill optional fields with "".
fn given(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

fn required(s: Option<String>, shape: &str, field: &str) -> Result<String, PayloadError> {
    given(s).ok_or_else(|| unknown(format!("{shape} payload without {field}")))
}

fn time_field(s: Option<String>, field: &str) -> Result<Option<OffsetDateTime>, PayloadError> {
    match given(s) {
        Some(t) => parse_rfc3339(&t)
            .map(Some)
            .ok_or_else(|| unknown(format!("{field} {t:?} is not RFC 3339"))),
        None => Ok(None),
    }
}

/// The key of a companion plugin event: its own id, whatever carried it.
pub(crate) fn relay_key(event_id: &str) -> String {
    format!("relay:{event_id}")
}

/// The payload's own event id, else the transport's id, else the body's hash (a redelivered
/// body is the same delivery; the seed plugins send no id at all).
fn delivery_key(prefix: &str, own_id: Option<&str>, d: Delivery, body: &[u8]) -> String {
    match (own_id, d.transport_id) {
        (Some(id), _) => format!("{prefix}:{id}"),
        (None, Some(id)) => format!("{prefix}:wh:{id}"),
        (None, None) => format!("{prefix}:sha256:{:x}", Sha256::digest(body)),
    }
}

#[derive(Deserialize, Default)]
struct Person {
    id: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize, Default)]
struct Assignee {
    staff: Option<Person>,
    team: Option<Person>,
}

fn party(p: Option<Person>) -> Option<Party> {
    let p = p?;
    let id = given(p.id)?;
    let name = [p.first_name, p.last_name]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let display = (!name.is_empty()).then_some(name).or_else(|| given(p.name));
    Some(Party { id, display })
}

fn event(key: String, system: &str, id: String, kind: EventKind, d: Delivery) -> TaskEvent {
    TaskEvent {
        delivery_key: key,
        task: TaskRef::new(system, id),
        kind,
        source: d.source,
        at: None,
        status: None,
        actor: None,
        snapshot: TaskSnapshot::default(),
        external_id: None,
    }
}

/// The shapes a Canvas delivery may have, told apart by their distinguishing fields.
enum Shape {
    Relay,
    Disposition,
    ResourceId,
    Detailed,
}

fn shape_of(v: &Value) -> Result<Shape, PayloadError> {
    let has = |k: &str| v.get(k).is_some();
    if has("event_id") && has("task") {
        Ok(Shape::Relay)
    } else if has("disposition") {
        Ok(Shape::Disposition)
    } else if has("resource_id") {
        Ok(Shape::ResourceId)
    } else if has("task_id") && has("event") {
        Ok(Shape::Detailed)
    } else {
        Err(unknown("unknown payload shape: expected a taskbell_relay event or one of the documented task webhooks"))
    }
}

/// A delivery to the Canvas endpoint or from the plugin socket, for the instance `system`.
pub fn parse_canvas(system: &str, body: &[u8], d: Delivery) -> Result<TaskEvent, PayloadError> {
    let mut v = parse_json(body)?;
    // Canvas's socket frames may wrap the payload as {"message": {...}}; seed 001's `message`
    // is a sentence, not an envelope.
    if let Some(inner) = v.get_mut("message").filter(|m| m.is_object()) {
        v = inner.take();
    }
    match shape_of(&v)? {
        Shape::Relay => relay(system, typed(v, "a taskbell_relay")?, d),
        Shape::Disposition => seed_disposition(system, typed(v, "a task disposition")?, d, body),
        Shape::ResourceId => seed_created(system, typed(v, "a task webhook")?, d, body),
        Shape::Detailed => seed_detailed(system, typed(v, "a task webhook")?, d, body),
    }
}

#[derive(Deserialize)]
struct Relay {
    version: u32,
    event_id: Option<String>,
    event: Option<String>,
    #[serde(default)]
    task: RelayTask,
    patient: Option<Person>,
    creator: Option<Person>,
    assignee: Option<Assignee>,
    actor: Option<Person>,
}

#[derive(Deserialize, Default)]
struct RelayTask {
    id: Option<String>,
    title: Option<String>,
    status: Option<String>,
    due: Option<String>,
    labels: Option<Vec<String>>,
    permalink: Option<String>,
    /// Version 2: the task's `modified` in Canvas, the clock its states are ordered by.
    modified: Option<String>,
}

fn relay(system: &str, w: Relay, d: Delivery) -> Result<TaskEvent, PayloadError> {
    let shape = "a taskbell_relay";
    if !(1..=RELAY_VERSION).contains(&w.version) {
        return Err(unknown(format!(
            "unsupported taskbell_relay payload version {} (this Taskbell reads 1 to {RELAY_VERSION})",
            w.version
        )));
    }
    let event_id = required(w.event_id, shape, "event_id")?;
    let id = required(w.task.id, shape, "task/id")?;
    let kind = match required(w.event, shape, "event")?.as_str() {
        "created" => EventKind::Created,
        "updated" => EventKind::Updated,
        "completed" => EventKind::Completed,
        "closed" => EventKind::Closed,
        "commented" => EventKind::Commented,
        other => return Err(unknown(format!("unknown taskbell_relay event {other:?}"))),
    };
    let mut e = event(relay_key(&event_id), system, id, kind, d);
    e.status = given(w.task.status)
        .map(|s| s.parse::<TaskStatus>().map_err(PayloadError::Unknown))
        .transpose()?;
    // Version 1 carried only the handler's time, not the task's: such an event is a hint.
    e.at = time_field(w.task.modified, "task/modified")?;
    if w.version >= 2 && e.at.is_none() {
        return Err(unknown(
            "a taskbell_relay version 2 payload without task/modified",
        ));
    }
    e.actor = w.actor.and_then(|a| given(a.id));
    let assignee = w.assignee.unwrap_or_default();
    e.snapshot = TaskSnapshot {
        description: given(w.task.title),
        patient: party(w.patient),
        owner: party(assignee.staff),
        team: party(assignee.team),
        requester: party(w.creator),
        due: time_field(w.task.due, "task/due").ok().flatten(),
        labels: w.task.labels,
        permalink: given(w.task.permalink),
        ..Default::default()
    };
    Ok(e)
}

/// Seed 000: `{"task_id", "disposition": "completed" | "closed"}`.
#[derive(Deserialize)]
struct Disposition {
    task_id: Option<String>,
    disposition: Option<String>,
}

fn seed_disposition(
    system: &str,
    w: Disposition,
    d: Delivery,
    body: &[u8],
) -> Result<TaskEvent, PayloadError> {
    let id = required(w.task_id, "a task disposition", "task_id")?;
    let (kind, status) = match w.disposition.as_deref() {
        Some("completed") => (EventKind::Completed, TaskStatus::Completed),
        Some("closed") => (EventKind::Closed, TaskStatus::Closed),
        other => {
            return Err(unknown(format!(
                "disposition must be completed or closed, not {other:?}"
            )))
        }
    };
    let mut e = event(delivery_key("seed", None, d, body), system, id, kind, d);
    e.status = Some(status);
    Ok(e)
}

/// Seed 001: `{"message": "A Task was created!", "resource_id"}` (or "updated").
#[derive(Deserialize)]
struct ResourceId {
    resource_id: Option<String>,
    message: Option<String>,
}

fn seed_created(
    system: &str,
    w: ResourceId,
    d: Delivery,
    body: &[u8],
) -> Result<TaskEvent, PayloadError> {
    let id = required(w.resource_id, "a task webhook", "resource_id")?;
    let updated = w
        .message
        .unwrap_or_default()
        .to_ascii_lowercase()
        .contains("updated");
    let kind = if updated {
        EventKind::Updated
    } else {
        EventKind::Created
    };
    Ok(event(
        delivery_key("seed", None, d, body),
        system,
        id,
        kind,
        d,
    ))
}

/// Seed 002: `task_id`, `event` (created/updated), `title`, `due_date`, `patient`, `creator`,
/// `assignee{staff, team}`. Its team is always null; its due date may be missing.
#[derive(Deserialize)]
struct Detailed {
    task_id: Option<String>,
    event: Option<String>,
    title: Option<String>,
    due_date: Option<String>,
    patient: Option<Person>,
    creator: Option<Person>,
    assignee: Option<Assignee>,
}

fn seed_detailed(
    system: &str,
    w: Detailed,
    d: Delivery,
    body: &[u8],
) -> Result<TaskEvent, PayloadError> {
    let id = required(w.task_id, "a task webhook", "task_id")?;
    let kind = match w.event.as_deref() {
        Some("created") => EventKind::Created,
        Some("updated") => EventKind::Updated,
        other => {
            return Err(unknown(format!(
                "event must be created or updated, not {other:?}"
            )))
        }
    };
    let mut e = event(delivery_key("seed", None, d, body), system, id, kind, d);
    let assignee = w.assignee.unwrap_or_default();
    e.snapshot = TaskSnapshot {
        description: given(w.title),
        patient: party(w.patient),
        owner: party(assignee.staff),
        team: party(assignee.team),
        requester: party(w.creator),
        due: time_field(w.due_date, "due_date").ok().flatten(),
        ..Default::default()
    };
    Ok(e)
}

/// A Fragment webhook event object (seed 003).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fragment {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    data: FragmentData,
    sent_at: Option<String>,
}

#[derive(Deserialize, Default)]
struct FragmentData {
    #[serde(default)]
    task: FragmentTask,
    #[serde(default)]
    info: FragmentInfo,
}

#[derive(Deserialize, Default)]
struct FragmentTask {
    id: Option<String>,
    #[serde(default)]
    status: FragmentStatus,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct FragmentStatus {
    name: Option<String>,
    user_id: Option<String>,
    at: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct FragmentInfo {
    external_id: Option<String>,
}

pub fn parse_fragment(body: &[u8], d: Delivery) -> Result<TaskEvent, PayloadError> {
    let shape = "a Fragment";
    let w: Fragment = typed(parse_json(body)?, shape)?;
    let kind = match required(w.kind, shape, "type")?.as_str() {
        "task.assigned" => EventKind::Assigned,
        "task.unassigned" => EventKind::Unassigned,
        "task.started" => EventKind::Started,
        "task.paused" => EventKind::Paused,
        "task.completed" => EventKind::Completed,
        other => return Err(unknown(format!("unknown Fragment event type {other:?}"))),
    };
    let id = required(w.data.task.id, shape, "data/task/id")?;
    let status = w.data.task.status;
    // Fragment's own clock: when the status changed, else when Fragment sent the event.
    let at = given(status.at).or_else(|| given(w.sent_at));
    let own_id = format!("{id}:{}:{}", kind.as_str(), at.as_deref().unwrap_or("-"));
    let key = delivery_key(
        FRAGMENT_SYSTEM,
        at.as_ref().map(|_| own_id.as_str()),
        d,
        body,
    );
    let done = status.name.as_deref() == Some("DONE") || kind == EventKind::Completed;
    let mut e = event(key, FRAGMENT_SYSTEM, id, kind, d);
    e.status = Some(if done {
        TaskStatus::Completed
    } else {
        TaskStatus::Open
    });
    e.at = time_field(at, "status/at")?;
    e.actor = given(status.user_id);
    e.external_id = given(w.data.info.external_id);
    Ok(e)
}

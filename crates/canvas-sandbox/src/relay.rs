//! The Taskbell relay payload, version 2, built the way the companion plugin builds it:
//! version 1 (canvas-plugin/schema/PAYLOAD.md) plus a required `task.modified`, the task's
//! `lastModified` at the moment of the event, so a receiver can order a push against what it
//! read from FHIR without reading the task again. Patient details are never included: the
//! sandbox plays a plugin with `INCLUDE_PATIENT_DETAILS` off.

use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::clinic::{Directory, Person};
use crate::clock;
use crate::permalink;
use crate::store::TaskRecord;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Created,
    Updated,
    Completed,
    Closed,
    Commented,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::Completed => "completed",
            EventKind::Closed => "closed",
            EventKind::Commented => "commented",
        }
    }
}

/// One event about to be pushed: the payload text and its id (the `webhook-id`).
#[derive(Debug, Clone)]
pub(crate) struct Push {
    pub event_id: String,
    pub body: String,
}

/// What happened to a task, before it is turned into a payload.
#[derive(Debug, Clone)]
pub(crate) struct Change {
    pub kind: EventKind,
    pub actor: Option<String>,
    pub comment_id: Option<String>,
}

fn staff_json(p: &Person) -> Value {
    json!({"id": p.id, "first_name": p.first_name, "last_name": p.last_name})
}

pub(crate) const VERSION: u32 = 2;

/// `now` is the sandbox clock's reading when the event is handled (`occurred_at`).
pub(crate) fn build(
    task: &TaskRecord,
    change: &Change,
    now: OffsetDateTime,
    dir: &Directory,
    base_url: &str,
) -> Push {
    let event_id = uuid::Uuid::new_v4().to_string();
    let creator = dir
        .staff(&task.requester)
        .map(staff_json)
        .unwrap_or(Value::Null);
    let staff = task
        .owner
        .as_deref()
        .and_then(|id| dir.staff(id))
        .map(staff_json);
    let team = task
        .group
        .as_deref()
        .and_then(|id| dir.team(id))
        .map(|t| json!({"id": t.id, "name": t.name}));
    let mut payload = json!({
        "version": VERSION,
        "event_id": event_id,
        "event": change.kind.as_str(),
        "occurred_at": clock::fmt_micros(now),
        "task": {
            "id": task.id,
            "title": task.description.clone().unwrap_or_default(),
            "status": task.status.relay(),
            "due": task.due.map(clock::fmt_auto),
            "labels": task.labels,
            "permalink": permalink::url(base_url, &task.id),
            "modified": clock::fmt_micros(task.modified),
        },
        "creator": creator,
        "assignee": {"staff": staff, "team": team},
        "actor": change.actor.as_ref().map(|id| json!({"id": id})),
    });
    if let (EventKind::Commented, Some(id), Some(obj)) = (
        change.kind,
        change.comment_id.as_ref(),
        payload.as_object_mut(),
    ) {
        obj.insert("comment".into(), json!({"id": id}));
    }
    Push {
        event_id,
        body: ascii_json(&payload),
    }
}

/// Compact JSON with every non-ASCII character escaped, the bytes Python's `json.dumps`
/// produces in the plugin, so signatures are computed over the same kind of body.
pub(crate) fn ascii_json(value: &Value) -> String {
    let compact = value.to_string();
    let mut out = String::with_capacity(compact.len());
    for c in compact.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            // Outside strings JSON is pure ASCII, so every such char sits inside a string.
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_is_escaped_like_python() {
        let v = json!({"title": "Café 🎉"});
        let text = ascii_json(&v);
        assert_eq!(text, r#"{"title":"Caf\u00e9 \ud83c\udf89"}"#);
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}

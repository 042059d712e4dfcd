//! The companion plugin's payload read straight into typed fields: the one shape that arrives by
//! the thousand, so it skips building a JSON tree. Anything this reader does not take as a plain
//! version-1 relay event (an envelope, an older shape, a field of the wrong type, a bad value)
//! goes to the general reader in `payload.rs`, which stays the one that explains refusals.

use super::payload::{relay_key, Delivery};
use crate::task::{EventKind, Party, TaskEvent, TaskRef, TaskSnapshot, TaskStatus};
use crate::time_util::parse_rfc3339;
use serde::Deserialize;
use std::borrow::Cow;

type Text<'a> = Option<Cow<'a, str>>;

#[derive(Deserialize)]
struct Wire<'a> {
    version: Option<i64>,
    #[serde(borrow)]
    event_id: Text<'a>,
    #[serde(borrow)]
    event: Text<'a>,
    #[serde(borrow)]
    occurred_at: Text<'a>,
    #[serde(borrow)]
    task: Option<WireTask<'a>>,
    #[serde(borrow)]
    patient: Option<Person<'a>>,
    #[serde(borrow)]
    creator: Option<Person<'a>>,
    #[serde(borrow)]
    assignee: Option<Assignee<'a>>,
    #[serde(borrow)]
    actor: Option<Person<'a>>,
    /// Present on a socket frame's envelope: leave those to the general reader.
    message: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct WireTask<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    title: Text<'a>,
    #[serde(borrow)]
    status: Text<'a>,
    #[serde(borrow)]
    due: Text<'a>,
    #[serde(borrow)]
    labels: Option<Vec<Cow<'a, str>>>,
    #[serde(borrow)]
    permalink: Text<'a>,
}

#[derive(Deserialize)]
struct Assignee<'a> {
    #[serde(borrow)]
    staff: Option<Person<'a>>,
    #[serde(borrow)]
    team: Option<Person<'a>>,
}

#[derive(Deserialize)]
struct Person<'a> {
    #[serde(borrow)]
    id: Text<'a>,
    #[serde(borrow)]
    first_name: Text<'a>,
    #[serde(borrow)]
    last_name: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
}

/// Empty strings count as absent, as in the general reader.
fn text(t: &Text) -> Option<String> {
    t.as_deref().filter(|s| !s.is_empty()).map(str::to_string)
}

fn party(p: &Option<Person>) -> Option<Party> {
    let p = p.as_ref()?;
    let id = p.id.as_deref()?.to_string();
    let name = [&p.first_name, &p.last_name].into_iter().filter_map(|s| s.as_deref()).filter(|s| !s.is_empty());
    let name = name.collect::<Vec<_>>().join(" ");
    let display = (!name.is_empty()).then_some(name).or_else(|| p.name.as_deref().map(str::to_string));
    Some(Party { id, display })
}

/// The event, or `None` for anything the general reader should look at.
pub(crate) fn parse(system: &str, body: &[u8], d: Delivery) -> Option<TaskEvent> {
    let w: Wire = serde_json::from_slice(body).ok()?;
    if w.message.is_some() || w.version != Some(1) {
        return None;
    }
    let task = w.task.as_ref()?;
    let event_id = text(&w.event_id)?;
    let id = text(&task.id)?;
    let kind = match w.event.as_deref()? {
        "created" => EventKind::Created,
        "updated" => EventKind::Updated,
        "completed" => EventKind::Completed,
        "closed" => EventKind::Closed,
        "commented" => EventKind::Commented,
        _ => return None,
    };
    let status = match text(&task.status) {
        Some(s) => Some(s.parse::<TaskStatus>().ok()?),
        None => None,
    };
    let occurred_at = match text(&w.occurred_at) {
        Some(at) => parse_rfc3339(&at)?,
        None => time::OffsetDateTime::now_utc(),
    };
    let assignee = w.assignee.as_ref();
    Some(TaskEvent {
        delivery_key: relay_key(&event_id),
        task: TaskRef::new(system, id),
        kind,
        source: d.source,
        occurred_at,
        status,
        actor: w.actor.as_ref().and_then(|a| text(&a.id)),
        snapshot: TaskSnapshot {
            description: text(&task.title),
            patient: party(&w.patient),
            owner: assignee.and_then(|a| party(&a.staff)),
            team: assignee.and_then(|a| party(&a.team)),
            requester: party(&w.creator),
            due: text(&task.due).as_deref().and_then(parse_rfc3339),
            labels: task.labels.as_ref().map(|ls| ls.iter().map(|l| l.to_string()).collect()),
            permalink: text(&task.permalink),
            ..Default::default()
        },
        external_id: None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::payload::parse_canvas_tree;
    use super::*;
    use crate::task::Source;

    const D: Delivery = Delivery { source: Source::Webhook, transport_id: Some("msg_1") };

    fn examples() -> Vec<Vec<u8>> {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../canvas-plugin/schema/examples");
        let mut files: Vec<_> = std::fs::read_dir(dir).expect("examples").map(|e| e.expect("entry").path()).collect();
        files.sort();
        files.into_iter().map(|p| std::fs::read(p).expect("reads")).collect()
    }

    #[test]
    fn every_example_reads_as_the_tree_reader_reads_it() {
        let all = examples();
        assert!(all.len() >= 5);
        for body in all {
            let fast = parse("sandbox", &body, D).expect("a plain relay event");
            assert_eq!(Ok(fast), parse_canvas_tree("sandbox", &body, D));
        }
    }

    #[test]
    fn odd_but_valid_fields_read_the_same_both_ways() {
        let body = br#"{"version": 1, "event_id": "e\u00e9", "event": "updated", "occurred_at": "2026-11-22T10:00:00Z",
            "task": {"id": "t1", "title": "Say \"hi\"", "status": "", "due": "", "labels": ["A", "B\n"], "permalink": ""},
            "patient": {"id": "p1", "first_name": "", "last_name": "", "name": "Pat"},
            "creator": {"id": "s1", "first_name": "Jo", "last_name": null},
            "assignee": {"staff": null, "team": {"id": "g1", "name": "Billing"}},
            "actor": {"id": "s2"}, "extra": [1, 2, 3]}"#;
        let fast = parse("sandbox", body, D).expect("fast");
        assert_eq!(Ok(fast), parse_canvas_tree("sandbox", body, D));
    }

    #[test]
    fn anything_else_is_left_to_the_tree_reader() {
        let cases: [&[u8]; 7] = [
            br#"{"message": {"version": 1, "event_id": "e", "event": "updated", "task": {"id": "t"}}}"#,
            br#"{"version": 2, "event_id": "e", "event": "updated", "task": {"id": "t"}}"#,
            br#"{"version": 1, "event_id": "e", "event": "exploded", "task": {"id": "t"}}"#,
            br#"{"version": 1, "event_id": "e", "event": "updated", "task": {"id": "t", "status": "lost"}}"#,
            br#"{"version": 1, "event_id": "e", "event": "updated", "occurred_at": "yesterday", "task": {"id": "t"}}"#,
            br#"{"version": 1, "event_id": "e", "event": "updated", "task": {"id": "t", "labels": [1]}}"#,
            br#"{"task_id": "t", "disposition": "completed"}"#,
        ];
        for body in cases {
            assert!(parse("sandbox", body, D).is_none(), "{}", String::from_utf8_lossy(body));
        }
    }
}

//! The payload shapes the inbox accepts, mapped field by field: the companion plugin's examples
//! (read from `canvas-plugin/schema/examples`, the fixtures the plugin's own tests read), the
//! three seed plugins' payloads, and Fragment's event objects.

use std::path::PathBuf;
use taskbell_core::inbox::payload::{
    parse_canvas, parse_fragment, Delivery, PayloadError, FRAGMENT_SYSTEM,
};
use taskbell_core::task::Party;
use taskbell_core::time_util::parse_rfc3339;
use taskbell_core::{EventKind, Source, TaskEvent, TaskStatus};

const SYSTEM: &str = "test-clinic";
const WEBHOOK: Delivery<'static> = Delivery {
    source: Source::Webhook,
    transport_id: None,
};

fn example(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../canvas-plugin/schema/examples")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn canvas(name: &str) -> TaskEvent {
    parse_canvas(SYSTEM, &example(name), WEBHOOK).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn party(id: &str, display: &str) -> Option<Party> {
    Some(Party {
        id: id.into(),
        display: Some(display.into()),
    })
}

fn at(s: &str) -> time::OffsetDateTime {
    parse_rfc3339(s).expect("RFC 3339")
}

fn labels(ls: &[&str]) -> Option<Vec<String>> {
    Some(ls.iter().map(|s| s.to_string()).collect())
}

const JANE: &str = "4150cd20de8a470aa570a852859ac87e";
const NORA: &str = "a02cbf4d9a5c4e6b8f1d2e3c4b5a6978";
const LAB_TASK: &str = "5f72fbcc-10ac-48ff-a2d2-02b229c38ce9";

#[test]
fn the_created_example() {
    let e = canvas("created.json");
    assert_eq!(e.delivery_key, "relay:0b7c6a1e-4f0d-4c2b-9a53-2f4e8d1c7b90");
    assert_eq!(
        (e.task.system.as_str(), e.task.id.as_str()),
        (SYSTEM, LAB_TASK)
    );
    assert_eq!(
        (e.kind, e.status, e.source),
        (EventKind::Created, Some(TaskStatus::Open), Source::Webhook)
    );
    assert_eq!(
        e.at,
        Some(at("2024-01-12T15:04:04.981327Z")),
        "Canvas's time for the task, not the handler's"
    );
    assert!(!e.is_hint());
    assert_eq!(e.actor.as_deref(), Some(JANE));
    assert_eq!(e.external_id, None);
    let s = &e.snapshot;
    assert_eq!(
        s.description.as_deref(),
        Some("Follow up with patient about lab results")
    );
    assert_eq!(
        s.patient,
        party("cfd9bd3f2a5e4b5d9e1c0b8e7a6f5d4c", "John Doe")
    );
    assert_eq!(s.owner, party(NORA, "Nora Johnson"));
    assert_eq!(
        s.team,
        party("0c59a3e2-7d41-4b8e-9f26-1a5d3c8b7e40", "Care Coordination")
    );
    assert_eq!(s.requester, party(JANE, "Jane Smith"));
    assert_eq!(s.due, Some(at("2024-01-15T10:00:00Z")));
    assert_eq!(s.labels, labels(&["Urgent", "Labs"]));
    assert_eq!(
        s.permalink.as_deref(),
        Some("https://example.canvasmedical.com/permalinks/v1/VGFzazo4OTo3MA==")
    );
    assert!(!s.full, "a push knows only what it sent");
}

#[test]
fn the_updated_example() {
    let e = canvas("updated.json");
    assert_eq!(e.delivery_key, "relay:6d1f2a3b-8c9e-4d5f-a1b2-c3d4e5f60718");
    assert_eq!(
        (e.kind, e.status),
        (EventKind::Updated, Some(TaskStatus::Open))
    );
    assert_eq!(e.at, Some(at("2024-01-13T14:29:59.870412Z")));
    assert_eq!(e.actor.as_deref(), Some(NORA));
    let s = &e.snapshot;
    assert_eq!(
        s.owner,
        party("b7e1c2d3f4a5468798a9b0c1d2e3f405", "Omar Haddad")
    );
    assert_eq!(s.team, None);
    assert_eq!(
        s.patient, None,
        "no patient unless the plugin was told to send one"
    );
    assert_eq!(s.due, Some(at("2024-01-16T17:00:00Z")));
    assert_eq!(s.labels, labels(&["Urgent"]));
    assert_eq!(s.permalink, None);
}

#[test]
fn the_commented_example() {
    let e = canvas("commented.json");
    assert_eq!(e.delivery_key, "relay:f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b");
    assert_eq!(
        (e.kind, e.status),
        (EventKind::Commented, Some(TaskStatus::Open))
    );
    assert_eq!(e.task.id, LAB_TASK);
    assert_eq!(
        e.snapshot.description.as_deref(),
        Some("Follow up with patient about lab results")
    );
    assert_eq!(e.snapshot.owner, party(NORA, "Nora Johnson"));
    assert_eq!(e.snapshot.requester, party(JANE, "Jane Smith"));
    assert_eq!(e.snapshot.patient, None);
}

#[test]
fn the_completed_example_with_nothing_optional() {
    let e = canvas("completed.json");
    assert_eq!(e.delivery_key, "relay:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
    assert_eq!(e.task.id, "b6426693-eb5b-4702-9f90-4728972c7f16");
    assert_eq!(
        (e.kind, e.status),
        (EventKind::Completed, Some(TaskStatus::Completed))
    );
    assert_eq!(e.actor, None);
    let s = &e.snapshot;
    assert_eq!(
        s.description.as_deref(),
        Some("Send a thank you card to the office admin team.")
    );
    assert_eq!(
        (&s.owner, &s.team, &s.requester, &s.patient),
        (&None, &None, &None, &None)
    );
    assert_eq!(s.due, None);
    assert_eq!(
        s.labels,
        labels(&[]),
        "an empty list clears labels; it is not unknown"
    );
}

#[test]
fn the_closed_example_assigned_to_a_team() {
    let e = canvas("closed.json");
    assert_eq!(e.delivery_key, "relay:3c2b1a09-f8e7-4d6c-b5a4-938271605f4e");
    assert_eq!(e.task.id, "e2f7a9c4-3b1d-4e8f-a6c5-7d9b0e1f2a3c");
    assert_eq!(
        (e.kind, e.status),
        (EventKind::Closed, Some(TaskStatus::Closed))
    );
    assert_eq!(e.actor.as_deref(), Some(NORA));
    let s = &e.snapshot;
    assert_eq!(s.owner, None);
    assert_eq!(
        s.team,
        party("7a1e5c3b-9d2f-4b6a-8e0c-4f3d2b1a0c9e", "Payment Collection")
    );
    assert_eq!(s.requester, party(JANE, "Jane Smith"));
    assert_eq!(s.due, Some(at("2024-01-14T23:59:00Z")));
    assert_eq!(s.labels, labels(&["Billing"]));
}

#[test]
fn a_version_1_event_is_a_hint_and_version_2_needs_its_time() {
    let v1 = canvas("v1-completed.json");
    assert_eq!(
        (v1.kind, v1.status, v1.at),
        (EventKind::Completed, Some(TaskStatus::Completed), None)
    );
    assert!(
        v1.is_hint(),
        "a version 1 event carries no Canvas time: Taskbell reads the task instead"
    );
    let mut v2: serde_json::Value =
        serde_json::from_slice(&example("completed.json")).expect("json");
    v2["task"].as_object_mut().expect("task").remove("modified");
    let err = parse_canvas(SYSTEM, &serde_json::to_vec(&v2).expect("json"), WEBHOOK)
        .expect_err("refused");
    assert!(err.to_string().contains("task/modified"), "{err}");
    v2["task"]["modified"] = "yesterday".into();
    let err = parse_canvas(SYSTEM, &serde_json::to_vec(&v2).expect("json"), WEBHOOK)
        .expect_err("refused");
    assert!(err.to_string().contains("RFC 3339"), "{err}");
}

#[test]
fn seed_shapes_are_hints() {
    for body in [
        &br#"{"task_id": "t1", "disposition": "completed"}"#[..],
        br#"{"message": "A Task was created!", "resource_id": "t1"}"#,
        br#"{"task_id": "t1", "event": "updated", "title": "Call back"}"#,
    ] {
        let e = parse_canvas(SYSTEM, body, WEBHOOK).expect("parses");
        assert!(
            e.is_hint() && e.at.is_none(),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn every_example_keys_on_its_event_id_whatever_the_transport() {
    for name in [
        "created.json",
        "updated.json",
        "commented.json",
        "completed.json",
        "closed.json",
    ] {
        let body = example(name);
        let with_id = parse_canvas(
            SYSTEM,
            &body,
            Delivery {
                source: Source::Socket,
                transport_id: Some("other"),
            },
        )
        .expect("parses");
        assert_eq!(with_id.delivery_key, canvas(name).delivery_key, "{name}");
        assert_eq!(with_id.source, Source::Socket);
    }
}

#[test]
fn the_message_envelope_is_the_same_event() {
    for name in ["created.json", "closed.json"] {
        let bare: serde_json::Value = serde_json::from_slice(&example(name)).expect("json");
        let wrapped = serde_json::to_vec(&serde_json::json!({"message": bare})).expect("json");
        assert_eq!(
            parse_canvas(SYSTEM, &wrapped, WEBHOOK).expect("wrapped"),
            canvas(name),
            "{name}"
        );
    }
}

#[test]
fn seed_000_dispositions() {
    let body =
        br#"{"task_id": "b6426693-eb5b-4702-9f90-4728972c7f16", "disposition": "completed"}"#;
    let e = parse_canvas(SYSTEM, body, WEBHOOK).expect("completed");
    assert_eq!(
        (e.kind, e.status),
        (EventKind::Completed, Some(TaskStatus::Completed))
    );
    assert_eq!(
        (e.task.system.as_str(), e.task.id.as_str()),
        (SYSTEM, "b6426693-eb5b-4702-9f90-4728972c7f16")
    );
    assert!(
        e.delivery_key.starts_with("seed:sha256:"),
        "{}",
        e.delivery_key
    );
    let with_id = parse_canvas(
        SYSTEM,
        body,
        Delivery {
            source: Source::Webhook,
            transport_id: Some("msg_1"),
        },
    )
    .expect("ok");
    assert_eq!(with_id.delivery_key, "seed:wh:msg_1");

    let closed = parse_canvas(
        SYSTEM,
        br#"{"task_id": "t9", "disposition": "closed"}"#,
        WEBHOOK,
    )
    .expect("closed");
    assert_eq!(
        (closed.kind, closed.status),
        (EventKind::Closed, Some(TaskStatus::Closed))
    );
    let odd = parse_canvas(
        SYSTEM,
        br#"{"task_id": "t9", "disposition": "lost"}"#,
        WEBHOOK,
    );
    assert!(
        matches!(odd, Err(PayloadError::Unknown(m)) if m.contains("disposition must be completed or closed"))
    );
}

#[test]
fn seed_001_created_and_updated() {
    let e = parse_canvas(
        SYSTEM,
        br#"{"message": "A Task was created!", "resource_id": "r1"}"#,
        WEBHOOK,
    )
    .expect("ok");
    assert_eq!(
        (e.kind, e.status, e.task.id.as_str()),
        (EventKind::Created, None, "r1")
    );
    assert_eq!(e.snapshot, Default::default());
    let u = parse_canvas(
        SYSTEM,
        br#"{"message": "A Task was updated!", "resource_id": "r1"}"#,
        WEBHOOK,
    )
    .expect("ok");
    assert_eq!(u.kind, EventKind::Updated);
    assert_ne!(e.delivery_key, u.delivery_key);
}

#[test]
fn seed_002_as_documented() {
    let body = br#"{
      "task_id": "12345", "event": "created", "title": "Follow up with patient",
      "due_date": "2024-01-15T10:00:00Z",
      "patient": {"id": "67890", "first_name": "John", "last_name": "Doe", "birth_date": "1980-05-15", "sex_at_birth": "Male"},
      "creator": {"id": "11111", "first_name": "Dr. Jane", "last_name": "Smith"},
      "assignee": {"staff": {"id": "22222", "first_name": "Nurse", "last_name": "Johnson"}, "team": null}}"#;
    let e = parse_canvas(SYSTEM, body, WEBHOOK).expect("ok");
    assert_eq!(
        (e.kind, e.status, e.task.id.as_str()),
        (EventKind::Created, None, "12345")
    );
    let s = &e.snapshot;
    assert_eq!(s.description.as_deref(), Some("Follow up with patient"));
    assert_eq!(s.due, Some(at("2024-01-15T10:00:00Z")));
    assert_eq!(s.patient, party("67890", "John Doe"));
    assert_eq!(s.requester, party("11111", "Dr. Jane Smith"));
    assert_eq!(s.owner, party("22222", "Nurse Johnson"));
    assert_eq!(s.team, None);
}

#[test]
fn seed_002_without_due_or_creator() {
    // What its implementation sends when the task has no due date and no creator.
    for body in [
        &br#"{"task_id": "12346", "event": "updated", "title": "Call back", "creator": null,
              "assignee": {"staff": null, "team": null}}"#[..],
        &br#"{"task_id": "12346", "event": "updated", "title": "Call back", "due_date": null, "patient": null,
              "assignee": {"team": null}}"#[..],
        &br#"{"task_id": "12346", "event": "updated", "title": "Call back", "due_date": ""}"#[..],
    ] {
        let e = parse_canvas(SYSTEM, body, WEBHOOK).unwrap_or_else(|err| panic!("{err}: {}", String::from_utf8_lossy(body)));
        assert_eq!((e.kind, e.task.id.as_str()), (EventKind::Updated, "12346"));
        let s = &e.snapshot;
        assert_eq!(s.description.as_deref(), Some("Call back"));
        assert_eq!((s.due, &s.requester, &s.owner, &s.team, &s.patient), (None, &None, &None, &None, &None));
    }
}

const FRAGMENT_COMPLETED: &[u8] = br#"{"type": "task.completed",
  "data": {"task": {"id": "1", "status": {"name": "DONE", "userId": "1", "at": "2023-10-27T13:57:12.924742+00:00"}},
           "info": {"externalId": "abc"}},
  "sentAt": "2023-10-27T13:57:12.933484+00:00"}"#;

#[test]
fn fragment_completed_with_an_external_id() {
    let e = parse_fragment(
        FRAGMENT_COMPLETED,
        Delivery {
            source: Source::Fragment,
            transport_id: None,
        },
    )
    .expect("ok");
    assert_eq!(
        (e.task.system.as_str(), e.task.id.as_str()),
        (FRAGMENT_SYSTEM, "1")
    );
    assert_eq!(
        (e.kind, e.status, e.source),
        (
            EventKind::Completed,
            Some(TaskStatus::Completed),
            Source::Fragment
        )
    );
    assert_eq!(e.external_id.as_deref(), Some("abc"));
    assert_eq!(e.actor.as_deref(), Some("1"));
    assert_eq!(
        e.at,
        Some(at("2023-10-27T13:57:12.924742Z")),
        "Fragment's own clock orders its tasks"
    );
    assert_eq!(
        e.delivery_key,
        "fragment:1:completed:2023-10-27T13:57:12.924742+00:00"
    );
}

#[test]
fn fragment_started_is_still_open() {
    let body = br#"{"type": "task.started",
      "data": {"task": {"id": "1", "status": {"name": "STARTED", "userId": "1", "at": "2023-10-27T14:10:19.225944+00:00"}},
               "info": {"externalId": "abc"}},
      "sentAt": "2023-10-27T14:10:19.234762+00:00"}"#;
    let e = parse_fragment(
        body,
        Delivery {
            source: Source::Fragment,
            transport_id: None,
        },
    )
    .expect("ok");
    assert_eq!(
        (e.kind, e.status),
        (EventKind::Started, Some(TaskStatus::Open))
    );
    assert_eq!(e.external_id.as_deref(), Some("abc"));
    assert_eq!(e.at, Some(at("2023-10-27T14:10:19.225944Z")));
}

#[test]
fn fragment_without_info_or_times() {
    let body = br#"{"type": "task.assigned", "data": {"task": {"id": "7"}, "info": {}}}"#;
    let e = parse_fragment(
        body,
        Delivery {
            source: Source::Fragment,
            transport_id: Some("wh-1"),
        },
    )
    .expect("ok");
    assert_eq!(
        (e.kind, e.status, e.external_id),
        (EventKind::Assigned, Some(TaskStatus::Open), None)
    );
    assert_eq!(e.delivery_key, "fragment:wh:wh-1");
}

#[test]
fn malformed_json_is_malformed() {
    for body in [&b"{\"task_id\": "[..], b"", b"not json", b"\xff"] {
        assert!(
            matches!(
                parse_canvas(SYSTEM, body, WEBHOOK),
                Err(PayloadError::Malformed(_))
            ),
            "{body:?}"
        );
        assert!(
            matches!(
                parse_fragment(body, WEBHOOK),
                Err(PayloadError::Malformed(_))
            ),
            "{body:?}"
        );
    }
    let err = parse_canvas(SYSTEM, b"{", WEBHOOK).expect_err("malformed");
    assert!(
        err.to_string().starts_with("the body is not valid JSON: "),
        "{err}"
    );
}

#[test]
fn unknown_shapes_say_what_was_expected() {
    let unknown = |body: &[u8]| match parse_canvas(SYSTEM, body, WEBHOOK) {
        Err(PayloadError::Unknown(m)) => m,
        other => panic!("{other:?} for {}", String::from_utf8_lossy(body)),
    };
    assert!(unknown(br#"{"hello": 1}"#).starts_with("unknown payload shape"));
    assert_eq!(unknown(b"[]"), "expected a JSON object");
    assert_eq!(unknown(b"42"), "expected a JSON object");
    assert!(unknown(br#"{"message": {"hello": 1}}"#).starts_with("unknown payload shape"));
    assert!(
        unknown(br#"{"version": 3, "event_id": "e", "task": {"id": "t"}}"#).contains("version 3")
    );
    assert!(
        unknown(br#"{"version": "2", "event_id": "e", "task": {"id": "t"}}"#)
            .contains("version: invalid type")
    );
    assert!(unknown(
        br#"{"version": 1, "event_id": "e", "event": "deleted", "task": {"id": "t"}}"#
    )
    .contains("\"deleted\""));
    assert!(
        unknown(br#"{"version": 1, "event_id": "e", "event": "created", "task": {}}"#)
            .contains("task/id")
    );
    assert!(unknown(br#"{"version": 1, "event_id": "e", "event": "created", "task": {"id": "t", "status": "lost"}}"#)
        .contains("unknown task status"));
    assert!(unknown(br#"{"version": 2, "event_id": "e", "event": "created", "task": {"id": "t", "modified": "noon"}}"#)
        .contains("RFC 3339"));
    assert!(unknown(br#"{"version": 2, "event_id": "e", "event": "created", "task": {"id": "t", "labels": "Urgent"}}"#)
        .contains("task/labels: invalid type"), "a wrong type names its field");
    assert!(unknown(br#"{"task_id": "1", "event": "deleted"}"#).contains("created or updated"));

    let fragment = |body: &[u8]| match parse_fragment(body, WEBHOOK) {
        Err(PayloadError::Unknown(m)) => m,
        other => panic!("{other:?}"),
    };
    assert!(
        fragment(br#"{"type": "task.deleted", "data": {"task": {"id": "1"}}}"#)
            .contains("task.deleted")
    );
    assert!(fragment(br#"{"type": "task.completed", "data": {}}"#).contains("data/task/id"));
    assert!(fragment(br#"{"data": {"task": {"id": "1"}}}"#).contains("without type"));
}

//! Arbitrary JSON shaped like what Taskbell reads: objects keyed mostly by the field names its
//! parsers look for, holding values of any type, nested a few levels. Random JSON alone would
//! almost never reach past a parser's first check; these reach every branch with wrong types.
//!
//! Shared by `tests/parsers_fuzz.rs` and the in-crate fuzz tests of `canvas/` (through
//! `#[path]`), so both feed the same shapes.
#![allow(dead_code)]

use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Every field name a payload, FHIR or OAuth reader looks up.
pub const FIELDS: &[&str] = &[
    // payloads: the companion plugin, the seed plugins, Fragment
    "event_id",
    "task",
    "version",
    "task_id",
    "disposition",
    "resource_id",
    "event",
    "type",
    "data",
    "status",
    "message",
    "id",
    "occurred_at",
    "title",
    "due",
    "due_date",
    "labels",
    "permalink",
    "patient",
    "creator",
    "assignee",
    "staff",
    "team",
    "actor",
    "first_name",
    "last_name",
    "name",
    "info",
    "externalId",
    "sentAt",
    "at",
    "userId",
    // FHIR: Task, Bundle, OperationOutcome, Patient, Practitioner, Group
    "resourceType",
    "entry",
    "resource",
    "link",
    "relation",
    "url",
    "issue",
    "code",
    "severity",
    "details",
    "text",
    "diagnostics",
    "for",
    "owner",
    "requester",
    "authoredOn",
    "restriction",
    "period",
    "end",
    "meta",
    "lastUpdated",
    "input",
    "valueString",
    "valueReference",
    "note",
    "time",
    "authorReference",
    "reference",
    "display",
    "extension",
    "description",
    "given",
    "family",
    "birthDate",
];

/// Values those readers compare against, so that branches past the first check are reached.
pub const WORDS: &[&str] = &[
    "Task",
    "Bundle",
    "OperationOutcome",
    "Patient",
    "Practitioner",
    "Group",
    "requested",
    "accepted",
    "in-progress",
    "completed",
    "cancelled",
    "rejected",
    "open",
    "closed",
    "created",
    "updated",
    "commented",
    "task.assigned",
    "task.completed",
    "task.started",
    "DONE",
    "next",
    "label",
    "Patient/p1",
    "Practitioner/s1",
    "Group/g1",
    "Task/t1",
    "2026-11-22T10:00:00Z",
    "2026-02-30T25:61:61+99:99",
    "not a time",
    "",
    "\u{0}",
    "é\u{200b}\u{10ffff}",
    "-",
    "A Task was created!",
    "A Task was updated!",
    "http://schemas.canvasmedical.com/fhir/extensions/task-group",
];

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0i64..4).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        proptest::sample::select(WORDS).prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![9 => proptest::sample::select(FIELDS).prop_map(str::to_string), 1 => any::<String>()]
}

/// Any JSON value, up to four levels deep.
pub fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..10)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// A JSON object, as most readers want at the top.
pub fn json_object() -> impl Strategy<Value = Value> {
    proptest::collection::vec((key(), json()), 0..12)
        .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>()))
}

/// Bytes as a reader may receive them: random, JSON of any shape, or JSON cut short.
pub fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        json_object().prop_map(|v| v.to_string().into_bytes()),
        json().prop_map(|v| v.to_string().into_bytes()),
        (json_object(), any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            let bytes = v.to_string().into_bytes();
            let at = cut.index(bytes.len() + 1);
            bytes[..at].to_vec()
        }),
    ]
}

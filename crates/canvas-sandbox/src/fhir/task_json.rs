//! A stored task as the FHIR Task JSON Canvas answers, extensions and all.

use serde_json::{json, Map, Value};

use super::task_body::{GROUP_EXT, PERMALINK_EXT};
use crate::clinic::Directory;
use crate::clock;
use crate::permalink;
use crate::store::TaskRecord;

fn typed_ref(kind: &str, id: &str) -> Value {
    json!({"reference": format!("{kind}/{id}"), "type": kind})
}

pub(crate) fn render(task: &TaskRecord, dir: &Directory, base_url: &str) -> Value {
    let mut extension = Vec::new();
    if let Some(group) = &task.group {
        let mut value_ref = typed_ref("Group", group);
        if let (Some(team), Some(obj)) = (dir.team(group), value_ref.as_object_mut()) {
            obj.insert("display".into(), json!(team.name));
        }
        extension.push(json!({"url": GROUP_EXT, "valueReference": value_ref}));
    }
    extension
        .push(json!({"url": PERMALINK_EXT, "valueString": permalink::url(base_url, &task.id)}));

    // No `meta`: Canvas's Task has none; when it last changed is the top-level `lastModified`.
    // The keys are those of Canvas's documented read example (fixtures/task-read.json).
    let mut t = Map::new();
    t.insert("resourceType".into(), json!("Task"));
    t.insert("id".into(), json!(task.id));
    t.insert("extension".into(), Value::Array(extension));
    t.insert("status".into(), json!(task.status.fhir()));
    if let Some(d) = &task.description {
        t.insert("description".into(), json!(d));
    }
    if let Some(p) = &task.patient {
        t.insert("for".into(), typed_ref("Patient", p));
    }
    t.insert(
        "authoredOn".into(),
        json!(clock::fmt_auto(task.authored_on)),
    );
    t.insert(
        "lastModified".into(),
        json!(clock::fmt_micros(task.modified)),
    );
    t.insert(
        "requester".into(),
        typed_ref("Practitioner", &task.requester),
    );
    if let Some(o) = &task.owner {
        t.insert("owner".into(), typed_ref("Practitioner", o));
    }
    t.insert("intent".into(), json!("unknown"));
    if let Some(due) = task.due {
        t.insert(
            "restriction".into(),
            json!({"period": {"end": clock::fmt_auto(due)}}),
        );
    }
    if !task.notes.is_empty() {
        // Canvas shows no id on a note; the comment id only travels in the relay payload.
        let notes: Vec<Value> = task
            .notes
            .iter()
            .map(|n| {
                json!({
                    "authorReference": typed_ref("Practitioner", &n.author),
                    "time": clock::fmt_auto(n.time),
                    "text": n.text,
                })
            })
            .collect();
        t.insert("note".into(), Value::Array(notes));
    }
    if !task.labels.is_empty() {
        let inputs: Vec<Value> = task
            .labels
            .iter()
            .map(|l| json!({"type": {"text": "label"}, "valueString": l}))
            .collect();
        t.insert("input".into(), Value::Array(inputs));
    }
    Value::Object(t)
}

//! A FHIR Task as Canvas answers it, read for what the tests compare: its status, the fields an
//! action must leave alone, and its notes (Canvas's comments).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct FhirTask(pub Value);

/// A note as Canvas stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct FhirNote {
    /// `Practitioner/<id>`.
    pub author: Option<String>,
    pub text: String,
}

impl FhirTask {
    fn str_at(&self, pointer: &str) -> Option<&str> {
        self.0.pointer(pointer).and_then(Value::as_str)
    }

    pub fn status(&self) -> &str {
        self.str_at("/status").unwrap_or("")
    }

    pub fn description(&self) -> Option<&str> {
        self.str_at("/description")
    }

    /// `Practitioner/<id>`.
    pub fn owner(&self) -> Option<&str> {
        self.str_at("/owner/reference")
    }

    /// The due time as Canvas writes it (`restriction.period.end`).
    pub fn due(&self) -> Option<&str> {
        self.str_at("/restriction/period/end")
    }

    /// Canvas keeps labels as `input`s whose type's text is "label".
    pub fn labels(&self) -> Vec<String> {
        let inputs = self.0.get("input").and_then(Value::as_array);
        inputs
            .into_iter()
            .flatten()
            .filter(|i| i.pointer("/type/text").and_then(Value::as_str) == Some("label"))
            .filter_map(|i| i.get("valueString").and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    }

    pub fn notes(&self) -> Vec<FhirNote> {
        let notes = self.0.get("note").and_then(Value::as_array);
        notes
            .into_iter()
            .flatten()
            .map(|n| FhirNote {
                author: n
                    .pointer("/authorReference/reference")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                text: n
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            })
            .collect()
    }

    /// The top-level fields whose values differ in `later` (present in one read only counts),
    /// other than those in `except`; sorted.
    pub fn changed_fields(&self, later: &FhirTask, except: &[&str]) -> Vec<String> {
        let empty = serde_json::Map::new();
        let a = self.0.as_object().unwrap_or(&empty);
        let b = later.0.as_object().unwrap_or(&empty);
        let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter(|k| !except.contains(&k.as_str()) && a.get(*k) != b.get(*k))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Shaped as the sandbox renders a handed-out task (Canvas's documented read example).
    fn task() -> FhirTask {
        FhirTask(json!({
            "resourceType": "Task",
            "id": "t-1",
            "extension": [{"url": "http://schemas.canvasmedical.com/fhir/extensions/task-permalink", "valueString": "http://127.0.0.1:1/permalinks/v1/t-1"}],
            "status": "requested",
            "description": "Sign prior authorization form",
            "for": {"reference": "Patient/p-1", "type": "Patient"},
            "authoredOn": "2026-05-01T10:00:00Z",
            "lastModified": "2026-05-01T10:00:00.123456Z",
            "requester": {"reference": "Practitioner/colleague", "type": "Practitioner"},
            "owner": {"reference": "Practitioner/me", "type": "Practitioner"},
            "intent": "unknown",
            "restriction": {"period": {"end": "2026-05-01T10:45:00Z"}},
            "note": [{"authorReference": {"reference": "Practitioner/colleague", "type": "Practitioner"}, "time": "2026-05-01T10:01:00Z", "text": "Results are in the chart now."}],
            "input": [
                {"type": {"text": "label"}, "valueString": "Paperwork"},
                {"type": {"text": "other"}, "valueString": "not a label"}
            ]
        }))
    }

    #[test]
    fn reads_the_fields_an_action_keeps() {
        let t = task();
        assert_eq!(t.status(), "requested");
        assert_eq!(t.description(), Some("Sign prior authorization form"));
        assert_eq!(t.owner(), Some("Practitioner/me"));
        assert_eq!(t.due(), Some("2026-05-01T10:45:00Z"));
        assert_eq!(t.labels(), ["Paperwork"]);
        assert_eq!(
            t.notes(),
            [FhirNote {
                author: Some("Practitioner/colleague".into()),
                text: "Results are in the chart now.".into()
            }]
        );
    }

    #[test]
    fn a_task_without_notes_labels_or_owner_reads_empty() {
        let t = FhirTask(json!({"resourceType": "Task", "status": "completed"}));
        assert!(t.notes().is_empty());
        assert!(t.labels().is_empty());
        assert_eq!((t.owner(), t.due(), t.description()), (None, None, None));
    }

    #[test]
    fn names_the_fields_that_changed() {
        let before = task();
        let mut after = task();
        after.0["status"] = json!("completed");
        after.0["lastModified"] = json!("2026-05-01T10:05:00Z");
        assert!(before
            .changed_fields(&after, &["status", "lastModified"])
            .is_empty());
        after.0.as_object_mut().expect("object").remove("owner");
        after.0["note"] = json!([]);
        assert_eq!(
            before.changed_fields(&after, &["status", "lastModified"]),
            ["note", "owner"]
        );
    }
}

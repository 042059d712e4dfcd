//! FHIR JSON as Canvas speaks it, to and from Taskbell's types. Canvas's Task carries a team and
//! a permalink as extensions and labels as `input[]` (see CANVAS.md §3).

use super::CanvasError;
use crate::task::{Note, Party, Task, TaskStatus};
use crate::time_util::{format_rfc3339, parse_rfc3339};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use ts_rs::TS;

pub const EXT_GROUP: &str = "http://schemas.canvasmedical.com/fhir/extensions/task-group";
pub const EXT_PERMALINK: &str = "http://schemas.canvasmedical.com/fhir/extensions/task-permalink";

/// What a user fills in to hand work to Canvas. `requester` is a Practitioner id.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize, TS)]
pub struct TaskDraft {
    pub description: String,
    pub requester: String,
    pub patient: Option<String>,
    pub owner: Option<String>,
    pub team: Option<String>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    #[ts(type = "string | null")]
    pub due: Option<OffsetDateTime>,
    #[serde(default)]
    pub labels: Vec<String>,
    pub comment: Option<String>,
    /// Set by the caller so that a create whose answer was lost can be found again.
    #[serde(with = "time::serde::rfc3339::option", default)]
    #[ts(type = "string | null")]
    pub authored_on: Option<OffsetDateTime>,
    /// What the pickers showed, kept for the history view; never sent to Canvas.
    #[serde(default)]
    pub names: DraftNames,
}

#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize, TS)]
pub struct DraftNames {
    pub patient: Option<String>,
    pub owner: Option<String>,
    pub team: Option<String>,
}

impl TaskDraft {
    pub fn to_fhir(&self) -> Value {
        let mut t = Map::new();
        t.insert("resourceType".into(), json!("Task"));
        t.insert("status".into(), json!("requested"));
        t.insert("intent".into(), json!("unknown"));
        t.insert("description".into(), json!(self.description));
        t.insert(
            "requester".into(),
            reference("Practitioner", &self.requester),
        );
        if let Some(p) = &self.patient {
            t.insert("for".into(), reference("Patient", p));
        }
        if let Some(o) = &self.owner {
            t.insert("owner".into(), reference("Practitioner", o));
        }
        if let Some(team) = &self.team {
            t.insert(
                "extension".into(),
                json!([{"url": EXT_GROUP, "valueReference": reference("Group", team)}]),
            );
        }
        if let Some(at) = self.authored_on {
            t.insert("authoredOn".into(), json!(format_rfc3339(at)));
        }
        if let Some(due) = self.due {
            t.insert(
                "restriction".into(),
                json!({"period": {"end": format_rfc3339(due)}}),
            );
        }
        if !self.labels.is_empty() {
            t.insert("input".into(), labels_to_input(&self.labels));
        }
        if let Some(c) = self.comment.as_deref().filter(|c| !c.trim().is_empty()) {
            let mut note =
                json!({"text": c, "authorReference": reference("Practitioner", &self.requester)});
            if let Some(at) = self.authored_on {
                note["time"] = json!(format_rfc3339(at));
            }
            t.insert("note".into(), json!([note]));
        }
        Value::Object(t)
    }
}

pub fn labels_to_input(labels: &[String]) -> Value {
    Value::Array(
        labels
            .iter()
            .map(|l| json!({"type": {"text": "label"}, "valueString": l}))
            .collect(),
    )
}

/// Only `reference`: Canvas's docs exclude a reference's `type` from create and update bodies.
fn reference(kind: &str, id: &str) -> Value {
    let id = id.strip_prefix(&format!("{kind}/")).unwrap_or(id);
    json!({"reference": format!("{kind}/{id}")})
}

/// `{"reference": "Patient/123", "display": "…"}` -> Party("123"), when it is of `kind`.
fn party(v: Option<&Value>, kind: &str) -> Option<Party> {
    let v = v?;
    let r = v.get("reference")?.as_str()?;
    let id = r.strip_prefix(kind)?.strip_prefix('/')?;
    Some(Party {
        id: id.to_string(),
        display: v.get("display").and_then(Value::as_str).map(str::to_string),
    })
}

fn extension<'a>(task: &'a Value, url: &str) -> Option<&'a Value> {
    task.get("extension")?
        .as_array()?
        .iter()
        .find(|e| e.get("url").and_then(Value::as_str) == Some(url))
}

fn time_at(v: &Value, pointer: &str) -> Option<OffsetDateTime> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .and_then(parse_rfc3339)
}

/// Maps a FHIR Task resource. Fails only on what Canvas always sends (`id`, a known `status`).
pub fn task_from_fhir(system: &str, v: &Value) -> Result<Task, CanvasError> {
    let bad = |what: &str| CanvasError::BadResponse(format!("a Task without {what}"));
    if v.get("resourceType").and_then(Value::as_str) != Some("Task") {
        return Err(bad("resourceType Task"));
    }
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("an id"))?;
    let status_word = v
        .get("status")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("a status"))?;
    let status = TaskStatus::from_fhir(status_word).ok_or_else(|| {
        CanvasError::BadResponse(format!("task {id} has unknown status {status_word:?}"))
    })?;
    let labels = v
        .get("input")
        .and_then(Value::as_array)
        .map(|inputs| {
            inputs
                .iter()
                .filter(|i| i.pointer("/type/text").and_then(Value::as_str) == Some("label"))
                .filter_map(|i| {
                    i.get("valueString")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    let notes = v
        .get("note")
        .and_then(Value::as_array)
        .map(|ns| {
            ns.iter()
                .filter_map(|n| {
                    Some(Note {
                        text: n.get("text")?.as_str()?.to_string(),
                        time: n
                            .get("time")
                            .and_then(Value::as_str)
                            .and_then(parse_rfc3339),
                        author: party(n.get("authorReference"), "Practitioner").map(|p| p.id),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Task {
        system: system.to_string(),
        id: id.to_string(),
        status,
        description: v
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        patient: party(v.get("for"), "Patient"),
        owner: party(v.get("owner"), "Practitioner"),
        team: extension(v, EXT_GROUP).and_then(|e| party(e.get("valueReference"), "Group")),
        requester: party(v.get("requester"), "Practitioner"),
        authored_on: time_at(v, "/authoredOn"),
        due: time_at(v, "/restriction/period/end"),
        // Canvas documents `lastModified`; a FHIR server may put the same in `meta`.
        modified: time_at(v, "/lastModified").or_else(|| time_at(v, "/meta/lastUpdated")),
        labels,
        notes,
        permalink: extension(v, EXT_PERMALINK)
            .and_then(|e| e.get("valueString"))
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// The top-level fields Canvas's docs let a create or update carry: every Task attribute not
/// marked `exclude_in: create, update` (task.md). `note` is left out on purpose: Canvas appends
/// every note a PUT carries, so only an edit may add one.
const WRITABLE: &[&str] = &[
    "resourceType",
    "id",
    "extension",
    "status",
    "description",
    "for",
    "authoredOn",
    "requester",
    "owner",
    "intent",
    "restriction",
    "input",
];

/// The body for a PUT that must change nothing but what `edit` changes. Canvas's PUT deletes
/// omitted fields (description, owner, restriction, input), so everything writable that was read
/// goes back; what the docs mark read-only (`lastModified`, a reference's `type`, the team's
/// `type` and `display`, the permalink) stays out, and so does any empty array.
pub fn put_body(
    read: &Value,
    edit: impl FnOnce(&mut Map<String, Value>),
) -> Result<Value, CanvasError> {
    let read = read
        .as_object()
        .ok_or_else(|| CanvasError::BadResponse("the task read back is not an object".into()))?;
    let mut body = Map::new();
    for key in WRITABLE {
        if let Some(v) = read.get(*key) {
            body.insert((*key).to_string(), v.clone());
        }
    }
    for key in ["for", "requester", "owner"] {
        match body.get(key).and_then(|r| r.get("reference")).cloned() {
            Some(r) => body.insert(key.to_string(), json!({ "reference": r })),
            None => body.remove(key),
        };
    }
    body.remove("extension");
    let team = read
        .get("extension")
        .and_then(Value::as_array)
        .and_then(|exts| {
            exts.iter()
                .find(|e| e.get("url").and_then(Value::as_str) == Some(EXT_GROUP))
        })
        .and_then(|e| e.pointer("/valueReference/reference"));
    if let Some(team) = team {
        body.insert(
            "extension".into(),
            json!([{"url": EXT_GROUP, "valueReference": {"reference": team}}]),
        );
    }
    edit(&mut body);
    // An empty array says nothing Canvas needs and is not a shape its docs show.
    body.retain(|_, v| !matches!(v, Value::Array(a) if a.is_empty()));
    Ok(Value::Object(body))
}

/// The id in a `Location` header: what follows `/Task/`, without `/_history/…`.
pub fn id_from_location(location: &str) -> Option<String> {
    let after = location.rsplit_once("/Task/")?.1;
    let id = after
        .split("/_history")
        .next()?
        .split(['?', '#'])
        .next()?
        .trim_end_matches('/');
    (!id.is_empty()).then(|| id.to_string())
}

/// The resources of a searchset Bundle and its `next` link, if any.
pub fn bundle_page(v: &Value) -> Result<(Vec<&Value>, Option<&str>), CanvasError> {
    if v.get("resourceType").and_then(Value::as_str) != Some("Bundle") {
        return Err(CanvasError::BadResponse(
            "a search answered something other than a Bundle".into(),
        ));
    }
    let resources = v
        .get("entry")
        .and_then(Value::as_array)
        .map(|es| es.iter().filter_map(|e| e.get("resource")).collect())
        .unwrap_or_default();
    let next = v
        .get("link")
        .and_then(Value::as_array)
        .and_then(|ls| {
            ls.iter()
                .find(|l| l.get("relation").and_then(Value::as_str) == Some("next"))
        })
        .and_then(|l| l.get("url"))
        .and_then(Value::as_str);
    Ok((resources, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_ids_lose_their_history_suffix() {
        assert_eq!(
            id_from_location(
                "http://fumage-x.canvasmedical.com/Task/b6426693-eb5b-4702-9f90-4728972c7f16"
            )
            .as_deref(),
            Some("b6426693-eb5b-4702-9f90-4728972c7f16")
        );
        assert_eq!(
            id_from_location("https://h/fhir/Task/abc/_history/3").as_deref(),
            Some("abc")
        );
        assert_eq!(id_from_location("/Task/abc/").as_deref(), Some("abc"));
        assert_eq!(id_from_location("https://h/Patient/abc"), None);
        assert_eq!(id_from_location("https://h/Task/"), None);
    }

    #[test]
    fn draft_maps_every_field() {
        let due = parse_rfc3339("2030-01-02T03:04:05Z");
        let d = TaskDraft {
            description: "Call back".into(),
            requester: "p1".into(),
            patient: Some("pat".into()),
            owner: Some("Practitioner/p2".into()),
            team: Some("g1".into()),
            due,
            labels: vec!["Urgent".into()],
            comment: Some("please".into()),
            authored_on: None,
            names: DraftNames::default(),
        };
        let v = d.to_fhir();
        assert_eq!(v["requester"]["reference"], "Practitioner/p1");
        assert_eq!(v["owner"]["reference"], "Practitioner/p2");
        assert_eq!(v["for"]["reference"], "Patient/pat");
        assert_eq!(v["extension"][0]["valueReference"]["reference"], "Group/g1");
        assert_eq!(v["restriction"]["period"]["end"], "2030-01-02T03:04:05Z");
        assert_eq!(v["input"][0]["valueString"], "Urgent");
        assert_eq!(v["note"][0]["text"], "please");
        let t = task_from_fhir("s", &json!({"resourceType": "Task", "id": "x", "status": "requested", "description": "Call back",
            "for": v["for"], "owner": v["owner"], "extension": v["extension"], "restriction": v["restriction"], "input": v["input"]}))
        .expect("maps");
        assert_eq!(
            (t.patient.map(|p| p.id), t.team.map(|p| p.id), t.due),
            (Some("pat".into()), Some("g1".into()), due)
        );
        assert_eq!(t.labels, vec!["Urgent".to_string()]);
    }

    #[test]
    fn put_body_drops_notes_and_permalink_and_keeps_the_rest() {
        let read = json!({"resourceType": "Task", "id": "1", "status": "requested", "description": "d",
            "note": [{"text": "old"}], "input": [{"type": {"text": "label"}, "valueString": "L"}],
            "extension": [{"url": EXT_GROUP, "valueReference": {"reference": "Group/g"}},
                          {"url": EXT_PERMALINK, "valueString": "http://p"}]});
        let body = put_body(&read, |t| {
            t.insert("status".into(), json!("completed"));
        })
        .expect("object");
        assert!(body.get("note").is_none());
        assert_eq!(body["status"], "completed");
        assert_eq!(body["input"], read["input"]);
        assert_eq!(body["extension"].as_array().map(Vec::len), Some(1));
    }

    #[test]
    fn put_body_leaves_out_what_the_docs_exclude() {
        let read = json!({"resourceType": "Task", "id": "1", "status": "requested", "intent": "unknown",
            "lastModified": "2023-10-22T21:06:27.893521+00:00", "meta": {"versionId": "3"}, "input": [],
            "for": {"reference": "Patient/p", "type": "Patient"}, "owner": {"reference": "Practitioner/o", "type": "Practitioner"},
            "requester": {"reference": "Practitioner/r", "type": "Practitioner"},
            "extension": [{"url": EXT_GROUP, "valueReference": {"reference": "Group/g", "type": "Group", "display": "Billing"}},
                          {"url": EXT_PERMALINK, "valueString": "http://p"}]});
        let body = put_body(&read, |_| {}).expect("object");
        assert_eq!(
            body,
            json!({"resourceType": "Task", "id": "1", "status": "requested", "intent": "unknown",
            "for": {"reference": "Patient/p"}, "owner": {"reference": "Practitioner/o"},
            "requester": {"reference": "Practitioner/r"},
            "extension": [{"url": EXT_GROUP, "valueReference": {"reference": "Group/g"}}]})
        );
        let no_team = put_body(
            &json!({"resourceType": "Task", "extension": [{"url": EXT_PERMALINK, "valueString": "x"}]}),
            |_| {},
        );
        assert!(
            no_team.expect("object").get("extension").is_none(),
            "no empty extension array"
        );
    }

    #[test]
    fn unknown_statuses_are_refused() {
        let err = task_from_fhir(
            "s",
            &json!({"resourceType": "Task", "id": "1", "status": "on-hold"}),
        );
        assert!(err.is_err());
    }
}

//! Reading a Task request body into a `TaskInput`, with a 400 `invalid` that names the field
//! for anything malformed. Whether references exist is the caller's (422) business.

use serde_json::{Map, Value};

use crate::clock;
use crate::outcome::Outcome;
use crate::store::Status;
use crate::tasks::{NoteInput, TaskInput};

pub(crate) const GROUP_EXT: &str = "http://schemas.canvasmedical.com/fhir/extensions/task-group";
pub(crate) const PERMALINK_EXT: &str =
    "http://schemas.canvasmedical.com/fhir/extensions/task-permalink";

/// The body's `id` (if any) and its content.
pub(crate) fn parse(body: &[u8]) -> Result<(Option<String>, TaskInput), Outcome> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Outcome::invalid(format!("The body is not valid JSON: {e}")))?;
    let Some(obj) = value.as_object() else {
        return Err(Outcome::invalid("The body must be a JSON object."));
    };
    if obj.get("resourceType").and_then(Value::as_str) != Some("Task") {
        return Err(Outcome::invalid("resourceType must be \"Task\"."));
    }
    refuse_read_only(obj)?;
    let id = opt_str(obj, "id")?;
    let status = match obj.get("status").and_then(Value::as_str) {
        Some(s) => Status::parse(s).ok_or_else(|| {
            Outcome::invalid(format!(
                "Task.status \"{s}\" is not one of requested, completed, cancelled."
            ))
        })?,
        None => return Err(Outcome::invalid("Task.status is required.")),
    };
    match obj.get("intent").and_then(Value::as_str) {
        Some("unknown") => {}
        Some(other) => {
            return Err(Outcome::invalid(format!(
                "Task.intent must be \"unknown\", not \"{other}\"."
            )))
        }
        None => return Err(Outcome::invalid("Task.intent is required (\"unknown\").")),
    }
    let input = TaskInput {
        status,
        description: opt_str(obj, "description")?,
        requester: reference(obj.get("requester"), "Practitioner", "Task.requester")?,
        patient: reference(obj.get("for"), "Patient", "Task.for")?,
        owner: reference(obj.get("owner"), "Practitioner", "Task.owner")?,
        group: group(obj.get("extension"))?,
        authored_on: opt_datetime(obj.get("authoredOn"), "Task.authoredOn")?,
        due: due(obj.get("restriction"))?,
        notes: notes(obj.get("note"))?,
        labels: labels(obj.get("input"))?,
    };
    Ok((id, input))
}

fn read_only(field: &str) -> Outcome {
    Outcome::invalid(format!(
        "{field} is read-only: Canvas's Task docs exclude it from create and update bodies."
    ))
}

/// The attributes task.md marks `exclude_in: create, update`. A client that sends back what it
/// read gets them refused by name rather than silently dropped, so it learns to leave them out.
fn refuse_read_only(obj: &Map<String, Value>) -> Result<(), Outcome> {
    if obj.contains_key("lastModified") {
        return Err(read_only("Task.lastModified"));
    }
    for key in ["for", "requester", "owner"] {
        if obj.get(key).is_some_and(|r| r.get("type").is_some()) {
            return Err(read_only(&format!("Task.{key}.type")));
        }
    }
    for note in obj
        .get("note")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if note
            .get("authorReference")
            .is_some_and(|r| r.get("type").is_some())
        {
            return Err(read_only("Task.note.authorReference.type"));
        }
    }
    for ext in obj
        .get("extension")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if ext.get("url").and_then(Value::as_str) == Some(PERMALINK_EXT) {
            return Err(read_only("The task-permalink extension"));
        }
        if ext.get("valueString").is_some() {
            return Err(read_only("Task.extension.valueString"));
        }
        for key in ["type", "display"] {
            if ext
                .get("valueReference")
                .is_some_and(|r| r.get(key).is_some())
            {
                return Err(read_only(&format!("task-group valueReference.{key}")));
            }
        }
    }
    Ok(())
}

fn opt_str(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, Outcome> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Outcome::invalid(format!("Task.{key} must be a string."))),
    }
}

fn opt_datetime(v: Option<&Value>, what: &str) -> Result<Option<time::OffsetDateTime>, Outcome> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => clock::parse_body_datetime(s)
            .map(Some)
            .ok_or_else(|| Outcome::invalid(format!("{what} \"{s}\" is not a valid dateTime."))),
        Some(_) => Err(Outcome::invalid(format!(
            "{what} must be a dateTime string."
        ))),
    }
}

/// `{"reference": "<Type>/<id>"}` to the id.
pub(crate) fn reference(
    v: Option<&Value>,
    kind: &str,
    what: &str,
) -> Result<Option<String>, Outcome> {
    let v = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => v,
    };
    let Some(reference) = v.get("reference").and_then(Value::as_str) else {
        return Err(Outcome::invalid(format!(
            "{what} must be {{\"reference\": \"{kind}/<id>\"}}."
        )));
    };
    match reference.split_once('/') {
        Some((k, id)) if k == kind && !id.is_empty() && !id.contains('/') => {
            Ok(Some(id.to_owned()))
        }
        _ => Err(Outcome::invalid(format!(
            "{what}.reference \"{reference}\" must look like \"{kind}/<id>\"."
        ))),
    }
}

fn array<'a>(v: Option<&'a Value>, what: &str) -> Result<&'a [Value], Outcome> {
    match v {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(Outcome::invalid(format!("{what} must be an array."))),
    }
}

fn group(v: Option<&Value>) -> Result<Option<String>, Outcome> {
    let mut found = None;
    for ext in array(v, "Task.extension")? {
        // Extensions that are not Canvas's are ignored (the permalink was refused above).
        if ext.get("url").and_then(Value::as_str) == Some(GROUP_EXT) {
            found = reference(
                ext.get("valueReference"),
                "Group",
                "task-group valueReference",
            )?;
        }
    }
    Ok(found)
}

fn due(v: Option<&Value>) -> Result<Option<time::OffsetDateTime>, Outcome> {
    let end = v.and_then(|r| r.get("period")).and_then(|p| p.get("end"));
    opt_datetime(end, "Task.restriction.period.end")
}

fn notes(v: Option<&Value>) -> Result<Vec<NoteInput>, Outcome> {
    let mut out = Vec::new();
    for note in array(v, "Task.note")? {
        let text = match note.get("text").and_then(Value::as_str) {
            Some(t) if !t.trim().is_empty() => t.to_owned(),
            _ => return Err(Outcome::invalid("Every Task.note needs a non-empty text.")),
        };
        let author = reference(
            note.get("authorReference"),
            "Practitioner",
            "Task.note.authorReference",
        )?
        .ok_or_else(|| {
            Outcome::invalid(
                "Task.note.authorReference is required: the practitioner who wrote the comment.",
            )
        })?;
        out.push(NoteInput {
            text,
            time: opt_datetime(note.get("time"), "Task.note.time")?,
            author,
        });
    }
    Ok(out)
}

fn labels(v: Option<&Value>) -> Result<Vec<String>, Outcome> {
    let mut out = Vec::new();
    for input in array(v, "Task.input")? {
        let kind = input
            .get("type")
            .and_then(|t| t.get("text"))
            .and_then(Value::as_str);
        if kind != Some("label") {
            return Err(Outcome::invalid(
                "Task.input entries must have type.text \"label\".",
            ));
        }
        match input.get("valueString").and_then(Value::as_str) {
            Some(label) if !label.trim().is_empty() => out.push(label.to_owned()),
            _ => {
                return Err(Outcome::invalid(
                    "Every Task.input label needs a valueString.",
                ))
            }
        }
    }
    Ok(out)
}

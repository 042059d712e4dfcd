//! The sandbox renders exactly the shape of Canvas's documented examples (fixtures/, taken
//! verbatim from Canvas's docs): the same keys at every level and the same JSON types, with
//! ids, times and free text allowed to differ. Times must still be written the same way.

mod common;

use std::collections::BTreeSet;

use common::{ids, Api};
use serde_json::{json, Value};

const GROUP_EXT: &str = "http://schemas.canvasmedical.com/fhir/extensions/task-group";

fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Values that are the same in every Canvas answer, so they must match too (`url` only in an
/// extension: a link's `url` is the query's).
const FIXED: &[&str] = &["resourceType", "url", "intent", "relation", "type"];

fn is_fixed(path: &str, key: &str) -> bool {
    FIXED.contains(&key) && (key != "url" || path.contains("/extension/"))
}
/// Times: the value differs, the way it is written must not.
const TIMES: &[&str] = &["authoredOn", "lastModified", "time", "end"];

/// `2023-10-22T21:06:27.893521+00:00` -> `9999-99-99T99:99:99.999999+99:99`.
fn time_shape(v: &Value) -> String {
    v.as_str()
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect()
}

fn compare(path: &str, documented: &Value, ours: &Value, diffs: &mut Vec<String>) {
    if kind(documented) != kind(ours) {
        diffs.push(format!(
            "{path}: documented {}, sandbox {}",
            kind(documented),
            kind(ours)
        ));
        return;
    }
    match (documented, ours) {
        (Value::Object(d), Value::Object(o)) => {
            let dk: BTreeSet<&String> = d.keys().collect();
            let ok: BTreeSet<&String> = o.keys().collect();
            if dk != ok {
                diffs.push(format!(
                    "{path}: only documented {:?}, only sandbox {:?}",
                    dk.difference(&ok).collect::<Vec<_>>(),
                    ok.difference(&dk).collect::<Vec<_>>()
                ));
            }
            for key in dk.intersection(&ok) {
                let (dv, ov) = (&d[*key], &o[*key]);
                let here = format!("{path}/{key}");
                if is_fixed(path, key) && dv.is_string() && dv != ov {
                    diffs.push(format!("{here}: documented {dv}, sandbox {ov}"));
                }
                let both_strings = dv.is_string() && ov.is_string();
                if TIMES.contains(&key.as_str()) && both_strings && time_shape(dv) != time_shape(ov)
                {
                    diffs.push(format!("{here}: documented like {dv}, sandbox {ov}"));
                }
                compare(&here, dv, ov, diffs);
            }
        }
        (Value::Array(d), Value::Array(o)) => {
            if d.len() != o.len() {
                diffs.push(format!(
                    "{path}: documented {} items, sandbox {}",
                    d.len(),
                    o.len()
                ));
            }
            for (i, (dv, ov)) in d.iter().zip(o).enumerate() {
                compare(&format!("{path}/{i}"), dv, ov, diffs);
            }
        }
        _ => {}
    }
}

fn assert_same_shape(documented: &Value, ours: &Value) {
    let mut diffs = Vec::new();
    compare("", documented, ours, &mut diffs);
    assert!(
        diffs.is_empty(),
        "differs from the docs:\n{}\nsandbox: {ours:#}",
        diffs.join("\n")
    );
}

/// A task with every field the documented example shows, so no key is missing for want of a
/// value: team, patient, owner, due date, one comment with author and time, one label,
/// completed.
async fn documented_like_task(api: &Api) -> String {
    let clinic = api.sb.clinic();
    let requester = format!("Practitioner/{}", clinic.requester);
    let owner = format!("Practitioner/{}", clinic.practitioners[1].0);
    let id = api
        .create(&json!({
            "resourceType": "Task",
            "extension": [{"url": GROUP_EXT, "valueReference": {"reference": format!("Group/{}", clinic.teams[0].0)}}],
            "status": "requested",
            "description": "Ask patient for new insurance information.",
            "for": {"reference": format!("Patient/{}", clinic.patients[0].0)},
            "authoredOn": "2023-09-22T14:00:00.000Z",
            "requester": {"reference": requester},
            "owner": {"reference": owner},
            "intent": "unknown",
            "restriction": {"period": {"end": "2023-09-23T14:00:00.000Z"}},
            "note": [{
                "text": "Please call patient to update insurance information.",
                "time": "2023-09-22T14:00:00.000Z",
                "authorReference": {"reference": requester},
            }],
            "input": [{"type": {"text": "label"}, "valueString": "Urgent"}],
        }))
        .await;
    assert!(api.sb.set_task_status(&id, "completed"));
    id
}

#[tokio::test]
async fn read_has_the_documented_shape() {
    let api = Api::new().await;
    let id = documented_like_task(&api).await;
    let ours = api.task(&id).await;
    assert_eq!(ours["status"], "completed");
    assert_same_shape(&fixture("task-read.json"), &ours);
}

#[tokio::test]
async fn search_has_the_documented_shape() {
    let api = Api::new().await;
    let id = documented_like_task(&api).await;
    let owner = format!("Practitioner/{}", api.sb.clinic().practitioners[1].0);
    let query = format!("/Task?owner={owner}&label=Urgent");
    let (_, ours) = api.get_json(&query).await;
    assert_eq!(ids(&ours), vec![id]);
    assert_same_shape(&fixture("task-search.json"), &ours);
}

#[test]
fn the_comparison_sees_a_missing_key_a_wrong_type_and_a_new_time_format() {
    let documented = fixture("task-read.json");
    let mut diffs = Vec::new();
    let mut extra_meta = documented.clone();
    extra_meta["meta"] = json!({"lastUpdated": "2023-10-22T21:06:27.893521+00:00"});
    compare("", &documented, &extra_meta, &mut diffs);
    let mut no_owner = documented.clone();
    no_owner.as_object_mut().unwrap().remove("owner");
    compare("", &documented, &no_owner, &mut diffs);
    let mut number = documented.clone();
    number["note"][0]["time"] = json!(1695391200);
    compare("", &documented, &number, &mut diffs);
    let mut zulu = documented.clone();
    zulu["lastModified"] = json!("2023-10-22T21:06:27Z");
    compare("", &documented, &zulu, &mut diffs);
    assert_eq!(diffs.len(), 4, "{diffs:#?}");
    let mut same = Vec::new();
    compare("", &documented, &documented, &mut same);
    assert!(same.is_empty());
}

/// A documented request example with its made-up ids swapped for the seeded clinic's.
fn documented_request(api: &Api, name: &str) -> Value {
    let clinic = api.sb.clinic();
    let text = serde_json::to_string(&fixture(name)).unwrap();
    let text = text
        .replace("0c59ba86-dd40-4fde-8179-6e0b91dc617b", &clinic.teams[0].0)
        .replace("cfd91cd3bd9046db81199aa8ee4afd7f", &clinic.patients[0].0)
        .replace("4150cd20de8a470aa570a852859ac87e", &clinic.requester)
        .replace(
            "a02cbf2403e140f7bc9a355c6ed420f3",
            &clinic.practitioners[1].0,
        );
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn the_documented_create_and_update_requests_are_accepted_as_written() {
    let api = Api::new().await;
    let id = api
        .create(&documented_request(&api, "task-create-request.json"))
        .await;
    let update = documented_request(&api, "task-update-request.json");
    assert_eq!(
        api.put_raw(&id, &update).await.status(),
        reqwest::StatusCode::OK
    );
    let task = api.task(&id).await;
    assert_eq!(task["status"], "completed");
    assert_eq!(
        task["note"].as_array().map(Vec::len),
        Some(2),
        "the update's note is appended"
    );
}

#[tokio::test]
async fn team_search_has_the_documented_shape() {
    let api = Api::new().await;
    // One page, as in the docs' example (which has no `next`).
    let (_, mut ours) = api.get_json("/Group?type=practitioner&_count=100").await;
    // The documented example holds one team with one member; compare the first of ours so.
    let entries = ours["entry"].as_array_mut().expect("entries");
    assert!(!entries.is_empty(), "the seeded clinic has teams");
    entries.truncate(1);
    let members = entries[0]["resource"]["member"]
        .as_array_mut()
        .expect("members");
    assert!(!members.is_empty(), "a seeded team has members");
    members.truncate(1);
    assert_same_shape(&fixture("group-search.json"), &ours);
}

#[tokio::test]
async fn a_refusal_has_the_documented_outcome_shape() {
    let api = Api::new().await;
    let (status, ours) = api.get_json("/Group?name=Front").await;
    assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{ours}");
    assert_same_shape(&fixture("outcome-400.json"), &ours);
}

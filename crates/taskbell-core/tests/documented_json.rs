//! The client's mapping of the JSON Canvas documents (CANVAS.md §3), kept verbatim.

use taskbell_core::canvas::fhir::{bundle_page, task_from_fhir};
use taskbell_core::time_util::parse_rfc3339;
use taskbell_core::TaskStatus;

const DOCUMENTED_BUNDLE: &str = r#"{"resourceType": "Bundle", "type": "searchset", "total": 1,
 "link": [{"relation": "self", "url": "/Task?owner=Practitioner%2Fa02c&_count=10&_offset=0"}],
 "entry": [{"resource": {
   "resourceType": "Task", "id": "5f72fbcc-10ac-48ff-a2d2-02b229c38ce9",
   "extension": [
     {"url": "http://schemas.canvasmedical.com/fhir/extensions/task-group",
      "valueReference": {"reference": "Group/0c59", "type": "Group", "display": "Payment Collection"}},
     {"url": "http://schemas.canvasmedical.com/fhir/extensions/task-permalink",
      "valueString": "http://example.canvasmedical.com/permalinks/v1/VGFzazo4OTo3MA=="}],
   "status": "completed", "intent": "unknown",
   "description": "Ask patient for new insurance information.",
   "for": {"reference": "Patient/cfd9", "type": "Patient"},
   "authoredOn": "2023-09-22T14:00:00+00:00",
   "requester": {"reference": "Practitioner/4150", "type": "Practitioner"},
   "owner": {"reference": "Practitioner/a02c", "type": "Practitioner"},
   "note": [{"authorReference": {"reference": "Practitioner/4150"}, "time": "2023-09-22T14:00:00+00:00",
             "text": "Please call patient to update insurance information."}],
   "restriction": {"period": {"end": "2023-09-23T14:00:00+00:00"}},
   "input": [{"type": {"text": "label"}, "valueString": "Urgent"}]}}]}"#;

#[test]
fn the_documented_search_bundle_maps_to_a_task() {
    let bundle: serde_json::Value = serde_json::from_str(DOCUMENTED_BUNDLE).expect("json");
    let (resources, next) = bundle_page(&bundle).expect("bundle");
    assert_eq!(next, None, "no next link means the last page");
    assert_eq!(resources.len(), 1);
    let t = task_from_fhir("demo", resources[0]).expect("task");
    assert_eq!(t.id, "5f72fbcc-10ac-48ff-a2d2-02b229c38ce9");
    assert_eq!(t.status, TaskStatus::Completed);
    assert_eq!(t.description, "Ask patient for new insurance information.");
    assert_eq!(t.patient.map(|p| p.id).as_deref(), Some("cfd9"));
    assert_eq!(t.owner.map(|p| p.id).as_deref(), Some("a02c"));
    assert_eq!(t.requester.map(|p| p.id).as_deref(), Some("4150"));
    let team = t.team.expect("team from the task-group extension");
    assert_eq!(
        (team.id.as_str(), team.display.as_deref()),
        ("0c59", Some("Payment Collection"))
    );
    assert_eq!(
        t.permalink.as_deref(),
        Some("http://example.canvasmedical.com/permalinks/v1/VGFzazo4OTo3MA==")
    );
    assert_eq!(t.authored_on, parse_rfc3339("2023-09-22T14:00:00+00:00"));
    assert_eq!(t.due, parse_rfc3339("2023-09-23T14:00:00+00:00"));
    assert_eq!(t.labels, vec!["Urgent".to_string()]);
    assert_eq!(t.notes.len(), 1);
    assert_eq!(t.notes[0].author.as_deref(), Some("4150"));
}

#[test]
fn a_bundle_with_a_next_link_reports_it() {
    let mut bundle: serde_json::Value = serde_json::from_str(DOCUMENTED_BUNDLE).expect("json");
    bundle["link"]
        .as_array_mut()
        .expect("links")
        .push(serde_json::json!({"relation": "next", "url": "/Task?_count=10&_offset=10"}));
    let (_, next) = bundle_page(&bundle).expect("bundle");
    assert_eq!(next, Some("/Task?_count=10&_offset=10"));
}

/// The docs' own examples, verbatim (crates/canvas-sandbox/fixtures, with their source).
fn fixture(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../canvas-sandbox/fixtures")
        .join(name);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .expect("json")
}

#[test]
fn the_documented_examples_carry_the_time_that_orders_a_task() {
    let modified = parse_rfc3339("2023-10-22T21:06:27.893521+00:00");
    let search = fixture("task-search.json");
    let (resources, _) = bundle_page(&search).expect("bundle");
    assert!(!resources.is_empty());
    for r in resources {
        let t = task_from_fhir("demo", r).expect("task");
        assert_eq!(
            t.modified, modified,
            "lastModified is read, to the microsecond"
        );
    }
    let read = task_from_fhir("demo", &fixture("task-read.json")).expect("task");
    assert_eq!(read.modified, modified);
}

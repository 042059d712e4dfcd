//! The pickers' resources: Patient, Practitioner (staff) and Group (teams), read and searched
//! with the parameters Canvas documents for each (patient.md, practitioner.md, group.md).

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::bundle::{self, Params};
use crate::clinic::{Person, Team};
use crate::outcome::Outcome;
use crate::state::AppState;

fn human_name(p: &Person) -> Value {
    json!([{"use": "official", "family": p.last_name, "given": [p.first_name], "text": p.display()}])
}

fn patient_json(p: &Person) -> Value {
    json!({
        "resourceType": "Patient", "id": p.id, "active": p.active,
        "name": human_name(p), "birthDate": p.birth_date, "gender": p.gender,
    })
}

fn practitioner_json(p: &Person) -> Value {
    json!({"resourceType": "Practitioner", "id": p.id, "active": p.active, "name": human_name(p)})
}

fn group_json(t: &Team) -> Value {
    let member: Vec<Value> = t
        .members
        .iter()
        .map(|id| json!({"entity": {"reference": format!("Practitioner/{id}"), "type": "Practitioner"}}))
        .collect();
    // The docs' Group carries its team's responsibilities and no `quantity`; every seeded team
    // holds one, so the shape is complete.
    let responsibility = json!({
        "code": {"text": "responsibility"},
        "valueCodeableConcept": {"text": "PROCESS_REFILL_REQUESTS"},
        "exclude": false,
    });
    json!({
        "resourceType": "Group", "id": t.id, "type": "practitioner", "actual": true,
        "name": t.name, "characteristic": [responsibility], "member": member,
    })
}

fn contains(haystack: &str, needle: &str) -> bool {
    haystack
        .to_lowercase()
        .contains(&needle.trim().to_lowercase())
}

fn id_matches(id: &str, value: &str) -> bool {
    value.split(',').any(|v| v.trim() == id)
}

/// A FHIR boolean parameter, case-insensitive as the docs allow for `active`.
fn boolean(params: &Params, name: &str) -> Result<Option<bool>, Outcome> {
    match params.iter().rev().find(|(n, _)| n == name) {
        None => Ok(None),
        Some((_, v)) => match v.trim().to_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err(Outcome::invalid(format!(
                "{name} must be true or false, not \"{v}\"."
            ))),
        },
    }
}

fn respond(resource_type: &str, params: &Params, hits: Vec<Value>) -> Response {
    let paging = match bundle::paging(params) {
        Ok(p) => p,
        Err(outcome) => return outcome.into_response(),
    };
    let total = hits.len();
    let page = bundle::page(hits, paging);
    Json(bundle::searchset(
        resource_type,
        params,
        paging,
        total,
        page,
    ))
    .into_response()
}

/// patient.md's search parameters this sandbox emulates. The others the docs list
/// (`_has:CareTeam:participant:member`, `_sort`, `email`, `identifier`, `nickname`, `phone`)
/// answer 400 rather than being ignored, so a client never mistakes "not emulated" for "no
/// match".
const PATIENT_PARAMS: &[&str] = &[
    "_id",
    "active",
    "birthDate",
    "family",
    "gender",
    "given",
    "name",
];

pub(crate) async fn patient_search(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Response {
    let params = bundle::parse_query(q.as_deref());
    if let Err(outcome) = bundle::check_known(&params, "Patient", PATIENT_PARAMS) {
        return outcome.into_response();
    }
    // Patient's `active` has no default: inactive charts are returned unless asked otherwise.
    let active = match boolean(&params, "active") {
        Ok(a) => a,
        Err(outcome) => return outcome.into_response(),
    };
    let hits = state
        .directory()
        .patients
        .iter()
        .filter(|p| active.is_none_or(|a| p.active == a))
        .filter(|p| {
            params.iter().all(|(name, value)| match name.as_str() {
                // "Part of a first or last name": one of them must contain the whole value, so
                // "Avery Quill" matches nobody.
                "name" => contains(&p.first_name, value) || contains(&p.last_name, value),
                "given" => contains(&p.first_name, value),
                "family" => contains(&p.last_name, value),
                "birthDate" => p.birth_date == value.strip_prefix("eq").unwrap_or(value),
                "gender" => p.gender == value.trim(),
                "_id" => id_matches(&p.id, value),
                _ => true,
            })
        })
        .map(patient_json)
        .collect();
    respond("Patient", &params, hits)
}

/// practitioner.md's search parameters. No staff here has an email or NPI number, so those
/// two are accepted and match nobody.
const PRACTITIONER_PARAMS: &[&str] = &[
    "_id",
    "active",
    "email",
    "include-non-schedulable-practitioners",
    "name",
    "npiNumber",
];

pub(crate) async fn practitioner_search(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Response {
    let params = bundle::parse_query(q.as_deref());
    if let Err(outcome) = bundle::check_known(&params, "Practitioner", PRACTITIONER_PARAMS) {
        return outcome.into_response();
    }
    let (active, everyone) = match (
        boolean(&params, "active"),
        boolean(&params, "include-non-schedulable-practitioners"),
    ) {
        (Ok(a), Ok(e)) => (a.unwrap_or(true), e.unwrap_or(false)),
        (Err(outcome), _) | (_, Err(outcome)) => return outcome.into_response(),
    };
    let hits = state
        .directory()
        .staff
        .iter()
        .filter(|p| p.active == active && (everyone || p.schedulable))
        .filter(|p| {
            params.iter().all(|(name, value)| match name.as_str() {
                "name" => [&p.first_name, &p.last_name, &p.display()]
                    .iter()
                    .any(|n| contains(n, value)),
                "_id" => id_matches(&p.id, value),
                "email" | "npiNumber" => false,
                _ => true,
            })
        })
        .map(practitioner_json)
        .collect();
    respond("Practitioner", &params, hits)
}

/// group.md documents `_id` and `type` only: no name filter, so a team picker lists them all.
pub(crate) async fn group_search(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let params = bundle::parse_query(q.as_deref());
    if let Err(outcome) = bundle::check_known(&params, "Group", &["_id", "type"]) {
        return outcome.into_response();
    }
    let hits = state
        .directory()
        .teams
        .iter()
        .filter(|t| {
            params.iter().all(|(name, value)| match name.as_str() {
                // Canvas teams are the only groups here, and they are all of type practitioner.
                "type" => value.split(',').any(|v| v.trim() == "practitioner"),
                "_id" => id_matches(&t.id, value),
                _ => true,
            })
        })
        .map(group_json)
        .collect();
    respond("Group", &params, hits)
}

fn found_or_404(kind: &str, id: &str, found: Option<Value>) -> Response {
    match found {
        Some(v) => Json(v).into_response(),
        None => Outcome::not_found(format!("{kind}/{id} not found.")).into_response(),
    }
}

pub(crate) async fn patient_read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    found_or_404(
        "Patient",
        &id,
        state.directory().patient(&id).map(patient_json),
    )
}

pub(crate) async fn practitioner_read(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Response {
    found_or_404(
        "Practitioner",
        &id,
        state.directory().staff(&id).map(practitioner_json),
    )
}

pub(crate) async fn group_read(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    found_or_404("Group", &id, state.directory().team(&id).map(group_json))
}

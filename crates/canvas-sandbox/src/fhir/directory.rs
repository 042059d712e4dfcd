//! The pickers' resources: Patient, Practitioner (staff) and Group (teams), read and searched
//! the way Canvas documents (`name`, `birthdate`, `type=practitioner`).

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
        "resourceType": "Patient", "id": p.id, "active": true,
        "name": human_name(p), "birthDate": p.birth_date, "gender": p.gender,
    })
}

fn practitioner_json(p: &Person) -> Value {
    json!({"resourceType": "Practitioner", "id": p.id, "active": true, "name": human_name(p)})
}

fn group_json(t: &Team) -> Value {
    let member: Vec<Value> = t
        .members
        .iter()
        .map(|id| json!({"entity": {"reference": format!("Practitioner/{id}"), "type": "Practitioner"}}))
        .collect();
    json!({
        "resourceType": "Group", "id": t.id, "type": "practitioner", "actual": true,
        "name": t.name, "quantity": t.members.len(), "member": member,
    })
}

fn name_matches(p: &Person, needle: &str) -> bool {
    let needle = needle.to_lowercase();
    [&p.first_name, &p.last_name, &p.display()]
        .iter()
        .any(|n| n.to_lowercase().contains(&needle))
}

fn id_matches(id: &str, value: &str) -> bool {
    value.split(',').any(|v| v.trim() == id)
}

/// Birth dates match exactly, with an optional `eq` prefix.
fn birthdate_matches(p: &Person, value: &str) -> bool {
    p.birth_date == value.strip_prefix("eq").unwrap_or(value)
}

fn respond(state: &AppState, resource_type: &str, params: &Params, hits: Vec<Value>) -> Response {
    let paging = match bundle::paging(params) {
        Ok(p) => p,
        Err(outcome) => return outcome.into_response(),
    };
    let total = hits.len();
    let page = bundle::page(hits, paging);
    Json(bundle::searchset(
        &state.fhir_base(),
        resource_type,
        params,
        paging,
        total,
        page,
    ))
    .into_response()
}

fn people_search(
    state: &AppState,
    query: Option<String>,
    resource_type: &str,
    known: &[&str],
    people: &[Person],
    render: fn(&Person) -> Value,
) -> Response {
    let params = bundle::parse_query(query.as_deref());
    if let Err(outcome) = bundle::check_known(&params, resource_type, known) {
        return outcome.into_response();
    }
    let hits = people
        .iter()
        .filter(|p| {
            params.iter().all(|(name, value)| match name.as_str() {
                "name" => name_matches(p, value),
                "birthdate" => birthdate_matches(p, value),
                "_id" => id_matches(&p.id, value),
                _ => true,
            })
        })
        .map(render)
        .collect();
    respond(state, resource_type, &params, hits)
}

pub(crate) async fn patient_search(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Response {
    let people = &state.directory().patients;
    people_search(
        &state,
        q,
        "Patient",
        &["name", "birthdate", "_id"],
        people,
        patient_json,
    )
}

pub(crate) async fn practitioner_search(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Response {
    let people = &state.directory().staff;
    people_search(
        &state,
        q,
        "Practitioner",
        &["name", "_id"],
        people,
        practitioner_json,
    )
}

pub(crate) async fn group_search(State(state): State<AppState>, RawQuery(q): RawQuery) -> Response {
    let params = bundle::parse_query(q.as_deref());
    if let Err(outcome) = bundle::check_known(&params, "Group", &["type", "name", "_id"]) {
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
                "name" => t.name.to_lowercase().contains(&value.to_lowercase()),
                "_id" => id_matches(&t.id, value),
                _ => true,
            })
        })
        .map(group_json)
        .collect();
    respond(&state, "Group", &params, hits)
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

//! The FHIR API under `/fhir`. Every request first passes the gate: simulated latency, the
//! failure knobs, then the bearer token, in the order a real front end would apply them.

mod bundle;
mod directory;
mod people;
mod search;
mod sort;
mod task;
pub(crate) mod task_body;
pub(crate) mod task_json;

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::auth;
use crate::knobs::Injected;
use crate::outcome::Outcome;
use crate::state::AppState;

async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let knobs = state.knobs();
    tokio::time::sleep(knobs.latency()).await;
    knobs.count_request();
    match knobs.next_injected() {
        Injected::Throttle(secs) => return Outcome::throttled(secs).into_response(),
        Injected::ServerError(status) => return Outcome::exception(status).into_response(),
        Injected::None => {}
    }
    if let Err(outcome) = auth::check_bearer(&state, request.headers()) {
        return outcome.into_response();
    }
    let write = request.method() != axum::http::Method::GET;
    let response = next.run(request).await;
    if write {
        tokio::time::sleep(knobs.answer_delay()).await;
    }
    response
}

async fn unknown_resource() -> Response {
    Outcome::not_found("This sandbox serves Task, Patient, Practitioner and Group only.")
        .into_response()
}

async fn read_only() -> Response {
    Outcome::not_supported("This resource is read-only here.").into_response()
}

pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/Task",
            get(task::search)
                .post(task::create)
                .fallback(task::not_supported),
        )
        .route(
            "/Task/{id}",
            get(task::read)
                .put(task::update)
                .fallback(task::not_supported),
        )
        .route("/Task/{id}/_history/{version}", get(task::read_version))
        .route(
            "/Patient",
            get(directory::patient_search).fallback(read_only),
        )
        .route(
            "/Patient/{id}",
            get(directory::patient_read).fallback(read_only),
        )
        .route(
            "/Practitioner",
            get(directory::practitioner_search).fallback(read_only),
        )
        .route(
            "/Practitioner/{id}",
            get(directory::practitioner_read).fallback(read_only),
        )
        .route("/Group", get(directory::group_search).fallback(read_only))
        .route(
            "/Group/{id}",
            get(directory::group_read).fallback(read_only),
        )
        .fallback(unknown_resource)
        .layer(middleware::from_fn_with_state(state, gate))
}

//! The FHIR Task endpoints: create (201, `null` body, id only in `Location`), read,
//! full-replace update honouring `If-Unmodified-Since`, and search.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::Value;

use super::bundle;
use super::{search, task_body, task_json};
use crate::clock;
use crate::outcome::Outcome;
use crate::state::AppState;
use crate::store::TaskRecord;

/// Canvas's docs show no `Last-Modified` or `ETag`; a client must work from `lastModified` in
/// the body. A knob adds them for tests of clients that would use them.
fn version_headers(state: &AppState, task: &TaskRecord) -> Vec<(header::HeaderName, String)> {
    if !state.knobs().version_headers() {
        return Vec::new();
    }
    vec![
        (header::LAST_MODIFIED, clock::http_date(task.modified)),
        (header::ETAG, format!("W/\"{}\"", task.version)),
    ]
}

fn with_headers(mut response: Response, headers: Vec<(header::HeaderName, String)>) -> Response {
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

pub(crate) async fn create(State(state): State<AppState>, body: Bytes) -> Response {
    state.knobs().record_task_write("POST", &body);
    let (_, input) = match task_body::parse(&body) {
        Ok(parsed) => parsed,
        Err(outcome) => return outcome.into_response(),
    };
    let task = match state.create_task(input) {
        Ok(task) => task,
        Err(outcome) => return outcome.into_response(),
    };
    // Canvas's create answers `…/Task/<id>/_history/1` and a `null` body (task.md and
    // _includes/create-response.html).
    let location = format!("{}/Task/{}/_history/1", state.fhir_base(), task.id);
    let answer = (StatusCode::CREATED, Json(Value::Null)).into_response();
    let mut response = with_headers(answer, version_headers(&state, &task));
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

pub(crate) async fn read(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.task_snapshot(&id) {
        Some(task) => {
            let body = task_json::render(&task, state.directory(), state.base_url());
            with_headers(Json(body).into_response(), version_headers(&state, &task))
        }
        None => Outcome::not_found(format!("Task/{id} not found.")).into_response(),
    }
}

/// `GET /Task/<id>/_history/<v>`: only the current version is kept, so any version id reads it.
pub(crate) async fn read_version(
    state: State<AppState>,
    Path((id, _version)): Path<(String, String)>,
) -> Response {
    read(state, Path(id)).await
}

pub(crate) async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    state.knobs().record_task_write("PUT", &body);
    let since = match headers.get(header::IF_UNMODIFIED_SINCE) {
        None => None,
        Some(v) => match v.to_str().ok().and_then(clock::parse_http_date) {
            Some(secs) => Some(secs),
            None => {
                return Outcome::invalid("If-Unmodified-Since is not a valid HTTP date.")
                    .into_response()
            }
        },
    };
    let (body_id, input) = match task_body::parse(&body) {
        Ok(parsed) => parsed,
        Err(outcome) => return outcome.into_response(),
    };
    if body_id.as_deref().is_some_and(|b| b != id) {
        return Outcome::invalid(format!(
            "The body's id does not match Task/{id} in the URL."
        ))
        .into_response();
    }
    if let Some(status) = state.knobs().take_change_before_put() {
        change_after_the_readers_second(&state, &id, status).await;
    }
    match state.update_task(&id, input, since) {
        // _includes/update-response.html: 200 with a `null` body.
        Ok(task) => with_headers(
            (StatusCode::OK, Json(Value::Null)).into_response(),
            version_headers(&state, &task),
        ),
        Err(outcome) => outcome.into_response(),
    }
}

/// The knob's staff change, made once the second after the task's current `modified` has
/// passed: a client that read the task just before has a precondition date no later than that
/// second, so the change is one its PUT must be refused for (a change within that second would
/// pass unseen, as on Canvas).
async fn change_after_the_readers_second(state: &AppState, id: &str, status: crate::store::Status) {
    let Some(task) = state.task_snapshot(id) else {
        return;
    };
    let boundary = clock::whole_second(task.modified) + time::Duration::seconds(1);
    let wait = boundary - state.now() + time::Duration::milliseconds(5);
    if wait.is_positive() {
        tokio::time::sleep(wait.unsigned_abs()).await;
    }
    state.set_status_as_staff(id, status, None, false);
}

pub(crate) async fn search(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let params = bundle::parse_query(query.as_deref());
    match search::search(&state, &params) {
        Ok(bundle) => Json(bundle).into_response(),
        Err(outcome) => outcome.into_response(),
    }
}

pub(crate) async fn not_supported() -> Response {
    Outcome::not_supported("Canvas supports only GET, POST (create) and PUT (update) on Task.")
        .into_response()
}

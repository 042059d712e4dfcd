//! The `task-permalink` extension and the page it opens, so "Open in Canvas" leads somewhere
//! in sandbox mode too.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::clock;
use crate::state::AppState;

/// `<base>/permalinks/v1/<base64 of "Task:<id>">`, the shape Canvas uses.
pub(crate) fn url(base_url: &str, task_id: &str) -> String {
    format!(
        "{base_url}/permalinks/v1/{}",
        STANDARD.encode(format!("Task:{task_id}"))
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!doctype html><title>Not found</title><p>No such task.</p>"),
    )
        .into_response()
}

pub(crate) async fn page(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    let Some(task_id) = STANDARD
        .decode(key.trim_start_matches('/'))
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|s| s.strip_prefix("Task:").map(str::to_owned))
    else {
        return not_found();
    };
    let Some(task) = state.task_snapshot(&task_id) else {
        return not_found();
    };
    let dir = state.directory();
    let name = |id: Option<&str>, f: &dyn Fn(&str) -> Option<String>| {
        id.and_then(f).unwrap_or_else(|| "—".into())
    };
    let owner = name(task.owner.as_deref(), &|id| {
        dir.staff(id).map(|p| p.display())
    });
    let team = name(task.group.as_deref(), &|id| {
        dir.team(id).map(|t| t.name.clone())
    });
    let patient = name(task.patient.as_deref(), &|id| {
        dir.patient(id).map(|p| p.display())
    });
    let title = escape(task.description.as_deref().unwrap_or("(no title)"));
    let due = task
        .due
        .map(clock::fmt_seconds)
        .unwrap_or_else(|| "—".into());
    let labels = if task.labels.is_empty() {
        "—".into()
    } else {
        task.labels.join(", ")
    };
    let comments: String = task
        .notes
        .iter()
        .map(|n| {
            format!(
                "<li>{} — {}</li>",
                escape(&clock::fmt_seconds(n.time)),
                escape(&n.text)
            )
        })
        .collect();
    Html(format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title} · Canvas sandbox</title></head>\n\
         <body><h1>{title}</h1>\n<dl>\
         <dt>Status</dt><dd id=\"status\">{status}</dd>\
         <dt>Assignee</dt><dd>{owner}</dd><dt>Team</dt><dd>{team}</dd>\
         <dt>Patient</dt><dd>{patient}</dd><dt>Due</dt><dd>{due}</dd>\
         <dt>Labels</dt><dd>{labels}</dd></dl>\n<h2>Comments</h2><ul>{comments}</ul>\n\
         <p><small>Task {id} in the Canvas sandbox.</small></p></body></html>\n",
        status = task.status.relay(),
        owner = escape(&owner),
        team = escape(&team),
        patient = escape(&patient),
        due = escape(&due),
        labels = escape(&labels),
        id = escape(&task.id),
    ))
    .into_response()
}

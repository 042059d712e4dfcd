//! New tasks and the pickers of the New task form.

use super::{sentence, CommandResult};
use crate::state::Shell;
use serde::Deserialize;
use taskbell_core::canvas::{CanvasClient, DraftNames, Listing, PatientSummary, Person, TaskDraft};
use taskbell_core::engine::CreateOutcome;
use taskbell_core::store::OutboxEntry;
use taskbell_core::time_util::parse_rfc3339;
use tauri::State;
use ts_rs::TS;

const NOT_CONNECTED: &str = "Taskbell is not connected to Canvas yet; the status line says why.";

/// The New task form as the window sends it; the requester is this user.
#[derive(Deserialize, TS)]
pub struct DraftInput {
    description: String,
    patient: Option<String>,
    owner: Option<String>,
    team: Option<String>,
    /// RFC 3339 with offset.
    due: Option<String>,
    #[serde(default)]
    labels: Vec<String>,
    comment: Option<String>,
    #[serde(default)]
    names: DraftNames,
}

impl DraftInput {
    fn into_draft(self, requester: String) -> CommandResult<TaskDraft> {
        let due = match self.due.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => Some(
                parse_rfc3339(d)
                    .ok_or_else(|| format!("The due date {d:?} is not a date and time."))?,
            ),
            None => None,
        };
        Ok(TaskDraft {
            description: self.description,
            requester,
            patient: self.patient,
            owner: self.owner,
            team: self.team,
            due,
            labels: self.labels,
            comment: self.comment,
            authored_on: None,
            names: self.names,
        })
    }
}

fn canvas(shell: &Shell) -> CommandResult<CanvasClient> {
    shell
        .engine
        .canvas()
        .ok_or_else(|| NOT_CONNECTED.to_string())
}

#[tauri::command]
pub async fn create_task(
    shell: State<'_, Shell>,
    draft: DraftInput,
) -> CommandResult<CreateOutcome> {
    let requester = shell.live().requester.ok_or(NOT_CONNECTED)?;
    shell
        .engine
        .create(draft.into_draft(requester)?)
        .await
        .map_err(sentence)
}

#[tauri::command]
pub async fn pending_tasks(shell: State<'_, Shell>) -> CommandResult<Vec<OutboxEntry>> {
    shell
        .engine
        .read(|s| s.outbox_open())
        .await
        .map_err(sentence)
}

// Each picker answers `{items, truncated}`: the window says when Canvas had more than the
// pages a picker reads, so a missing name reads as "type more", not "not in Canvas".

#[tauri::command]
pub async fn search_patients(
    shell: State<'_, Shell>,
    query: String,
) -> CommandResult<Listing<PatientSummary>> {
    canvas(&shell)?
        .find_patients(&query)
        .await
        .map_err(sentence)
}

#[tauri::command]
pub async fn search_practitioners(
    shell: State<'_, Shell>,
    query: String,
) -> CommandResult<Listing<Person>> {
    canvas(&shell)?
        .find_practitioners(&query)
        .await
        .map_err(sentence)
}

#[tauri::command]
pub async fn list_teams(shell: State<'_, Shell>) -> CommandResult<Listing<Person>> {
    canvas(&shell)?.find_teams("").await.map_err(sentence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(due: Option<&str>) -> DraftInput {
        serde_json::from_value(serde_json::json!({
            "description": "Call back", "patient": "p1", "owner": null, "team": "g1", "due": due,
            "labels": ["Urgent"], "comment": "thanks", "names": {"patient": "Ada", "owner": null, "team": "Billing"}
        }))
        .expect("the window's draft parses")
    }

    #[test]
    fn the_window_draft_becomes_a_task_draft_in_my_name() {
        let d = input(Some("2030-01-02T17:00:00+01:00"))
            .into_draft("me".into())
            .expect("valid");
        assert_eq!(
            (
                d.requester.as_str(),
                d.patient.as_deref(),
                d.team.as_deref()
            ),
            ("me", Some("p1"), Some("g1"))
        );
        assert_eq!(d.due.map(|t| t.unix_timestamp()), Some(1_893_600_000));
        assert_eq!(d.names.team.as_deref(), Some("Billing"));
        assert_eq!(
            input(None).into_draft("me".into()).expect("valid").due,
            None
        );
        let e = input(Some("tomorrow"))
            .into_draft("me".into())
            .expect_err("refused");
        assert_eq!(e, "The due date \"tomorrow\" is not a date and time.");
    }
}

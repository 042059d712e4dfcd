//! Creating a task: write the outbox row, then POST. A task the user asked for is never lost
//! (the row survives crashes and outages) and never made twice: when a POST may have reached
//! Canvas without an answer, the next attempt first looks for the task it may have made.

use super::{Engine, EngineError, UiEvent};
use crate::canvas::{CanvasClient, CanvasError, TaskDraft, TaskSearch};
use crate::store::{OutboxEntry, OutboxState};
use crate::task::{EventKind, Party, Source, TaskEvent, TaskRef, TaskSnapshot, TaskStatus};
use crate::time_util::now_millis;
use rand::Rng;
use serde::Serialize;
use std::time::Duration;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CreateOutcome {
    Created { local_id: String, task_id: String },
    /// Saved; Taskbell keeps trying. `reason` says why it is not in Canvas yet.
    Pending { local_id: String, reason: String },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutboxReport {
    pub created: usize,
    pub still_pending: usize,
    pub failed: usize,
}

/// How long the outbox waits between attempts: 15 s doubling to 10 min, jittered so that a
/// clinic's worth of desktops coming back online do not retry in step.
fn retry_delay(attempts: u32) -> Duration {
    let ceiling = Duration::from_secs(15).saturating_mul(1 << attempts.min(6)).min(Duration::from_secs(600));
    ceiling / 2 + rand::thread_rng().gen_range(Duration::ZERO..=ceiling / 2)
}

/// Canvas may have applied a call that failed this way, so the task may exist.
fn maybe_applied(e: &CanvasError) -> bool {
    matches!(e, CanvasError::Ambiguous { .. }) || e.status().is_some_and(|s| s >= 500 && s != 503)
}

fn whole_seconds(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

impl Engine {
    /// Saves `draft` to the outbox and sends it. A refusal by Canvas (bad input) is an error
    /// carrying Canvas's text; an outage is a `Pending` outcome, retried by [`Engine::run_outbox`].
    pub async fn create(&self, mut draft: TaskDraft) -> Result<CreateOutcome, EngineError> {
        draft.description = draft.description.trim().to_string();
        if draft.description.is_empty() {
            return Err(EngineError::Invalid("a task needs a description".into()));
        }
        if draft.requester.trim().is_empty() {
            return Err(EngineError::Invalid("a task needs a requester: set your practitioner in Settings".into()));
        }
        let client = self.canvas().ok_or(EngineError::NoCanvas)?;
        // Whole seconds: the time must survive Canvas's formatting to find the task again.
        draft.authored_on = Some(whole_seconds(OffsetDateTime::now_utc()));
        let local_id = uuid::Uuid::new_v4().to_string();
        let (id, system, d) = (local_id.clone(), client.system().to_string(), draft.clone());
        self.shared.writer.write(move |s| s.outbox_add(&id, &system, &d)).await?;
        self.attempt(&client, &local_id, &draft, false, 0).await
    }

    async fn attempt(
        &self,
        client: &CanvasClient,
        local_id: &str,
        draft: &TaskDraft,
        uncertain: bool,
        attempts: u32,
    ) -> Result<CreateOutcome, EngineError> {
        if uncertain {
            match self.find_created(client, draft).await {
                Ok(Some(task_id)) => return self.created(client, local_id, draft, task_id).await,
                Ok(None) => {}
                Err(e) => return self.retry_later(local_id, OutboxState::Uncertain, &e, attempts).await,
            }
        }
        match client.create_task(draft).await {
            Ok(task_id) => self.created(client, local_id, draft, task_id).await,
            Err(e) if maybe_applied(&e) => self.retry_later(local_id, OutboxState::Uncertain, &e, attempts).await,
            Err(e) if e.is_transient() => self.retry_later(local_id, OutboxState::Pending, &e, attempts).await,
            Err(e) => {
                let (id, msg) = (local_id.to_string(), e.to_string());
                self.shared.writer.write(move |s| s.outbox_mark(&id, OutboxState::Failed, Some(&msg), None, i64::MAX)).await?;
                let _ = self.shared.ui.send(UiEvent::OutboxChanged { local_id: local_id.to_string() });
                Err(EngineError::Canvas(e))
            }
        }
    }

    async fn retry_later(
        &self,
        local_id: &str,
        state: OutboxState,
        e: &CanvasError,
        attempts: u32,
    ) -> Result<CreateOutcome, EngineError> {
        let (id, msg) = (local_id.to_string(), e.to_string());
        let next = now_millis() + retry_delay(attempts).as_millis() as i64;
        self.shared.writer.write(move |s| s.outbox_mark(&id, state, Some(&msg), None, next)).await?;
        let _ = self.shared.ui.send(UiEvent::OutboxChanged { local_id: local_id.to_string() });
        Ok(CreateOutcome::Pending { local_id: local_id.to_string(), reason: e.to_string() })
    }

    /// Looks for a task this draft may already have made: same description, requester and
    /// authored time.
    async fn find_created(&self, client: &CanvasClient, draft: &TaskDraft) -> Result<Option<String>, CanvasError> {
        let search = TaskSearch::new().description(&draft.description).requester(&draft.requester);
        let found = client.search_tasks(&search).await?;
        Ok(found
            .into_iter()
            .find(|t| {
                t.description == draft.description
                    && t.authored_on.map(whole_seconds) == draft.authored_on
                    && t.requester.as_ref().is_some_and(|r| r.id == draft.requester)
            })
            .map(|t| t.id))
    }

    async fn created(
        &self,
        client: &CanvasClient,
        local_id: &str,
        draft: &TaskDraft,
        task_id: String,
    ) -> Result<CreateOutcome, EngineError> {
        let (id, tid) = (local_id.to_string(), task_id.clone());
        self.shared.writer.write(move |s| s.outbox_mark(&id, OutboxState::Created, None, Some(&tid), i64::MAX)).await?;
        let event = created_event(client.system(), local_id, &task_id, draft);
        self.ingest_all(vec![event], true).await?;
        let _ = self.shared.ui.send(UiEvent::OutboxChanged { local_id: local_id.to_string() });
        Ok(CreateOutcome::Created { local_id: local_id.to_string(), task_id })
    }

    /// Sends every outbox entry whose time has come.
    pub async fn flush_outbox(&self) -> Result<OutboxReport, EngineError> {
        let Some(client) = self.canvas() else { return Ok(OutboxReport::default()) };
        let now = now_millis();
        let due: Vec<OutboxEntry> = self.read(move |s| s.outbox_due(now)).await?;
        let mut report = OutboxReport::default();
        for entry in due.into_iter().filter(|e| e.system == client.system()) {
            let uncertain = entry.state == OutboxState::Uncertain;
            match self.attempt(&client, &entry.local_id, &entry.draft, uncertain, entry.attempts).await {
                Ok(CreateOutcome::Created { .. }) => report.created += 1,
                Ok(CreateOutcome::Pending { .. }) => report.still_pending += 1,
                Err(EngineError::Canvas(_)) => report.failed += 1,
                Err(e) => return Err(e),
            }
        }
        Ok(report)
    }

    /// Retries the outbox until `stop` fires: when an entry falls due, when the Canvas
    /// connection changes, and at least every `every`.
    pub async fn run_outbox(&self, every: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.flush_outbox().await {
                tracing::warn!("the outbox could not be flushed: {e}");
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = self.shared.outbox_kick.notified() => {}
                _ = stop.changed() => return,
            }
        }
    }

    /// Nudges [`Engine::run_outbox`] to try now (the network came back, say).
    pub fn kick_outbox(&self) {
        self.shared.outbox_kick.notify_one();
    }
}

fn created_event(system: &str, local_id: &str, task_id: &str, d: &TaskDraft) -> TaskEvent {
    let party = |id: &Option<String>, name: &Option<String>| {
        id.as_ref().map(|id| Party { id: id.clone(), display: name.clone() })
    };
    TaskEvent {
        delivery_key: format!("create:{local_id}"),
        task: TaskRef::new(system, task_id),
        kind: EventKind::Created,
        source: Source::Api,
        occurred_at: d.authored_on.unwrap_or_else(OffsetDateTime::now_utc),
        status: Some(TaskStatus::Open),
        actor: None,
        snapshot: TaskSnapshot {
            description: Some(d.description.clone()),
            patient: party(&d.patient, &d.names.patient),
            owner: party(&d.owner, &d.names.owner),
            team: party(&d.team, &d.names.team),
            requester: Some(Party::id(d.requester.clone())),
            due: d.due,
            authored_on: d.authored_on,
            modified: None,
            labels: Some(d.labels.clone()),
            permalink: None,
            full: false,
        },
        external_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_grow_and_stay_bounded() {
        assert!(retry_delay(0) <= Duration::from_secs(15) && retry_delay(0) >= Duration::from_millis(7500));
        assert!(retry_delay(30) <= Duration::from_secs(600) && retry_delay(30) >= Duration::from_secs(300));
    }

    #[test]
    fn only_answers_that_may_have_been_applied_make_an_entry_uncertain() {
        assert!(maybe_applied(&CanvasError::Ambiguous { detail: "t".into() }));
        assert!(maybe_applied(&CanvasError::Outcome { status: 500, code: "exception".into(), text: String::new() }));
        assert!(!maybe_applied(&CanvasError::Outcome { status: 503, code: "exception".into(), text: String::new() }));
        assert!(!maybe_applied(&CanvasError::Unreachable { host: "h".into(), detail: "refused".into() }));
    }
}

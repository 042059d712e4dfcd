//! Creating a task: write the outbox row, claimed, then POST. A task the user asked for is never
//! lost (the row survives crashes and outages) and never made twice: an entry is claimed in the
//! database before every send, so no other sender (the retry loop, another process on the same
//! database) sends it meanwhile; and when a POST may have reached Canvas without an answer, or
//! its sender died, the next attempt first looks for the task it may have made.

use super::ActOutcome;
use super::{Engine, EngineError, UiEvent};
use crate::backoff::Backoff;
use crate::canvas::{CanvasClient, CanvasError, TaskDraft, TaskSearch};
use crate::store::{Claimed, OutboxState, Work};
use crate::task::{EventKind, Party, Source, TaskEvent, TaskRef, TaskSnapshot, TaskStatus};
use serde::Serialize;
use std::time::Duration;
use time::OffsetDateTime;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CreateOutcome {
    Created {
        local_id: String,
        task_id: String,
    },
    /// Saved; Taskbell keeps trying. `reason` says why it is not in Canvas yet.
    Pending {
        local_id: String,
        reason: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OutboxReport {
    pub created: usize,
    /// Actions Canvas made, or already had.
    pub done: usize,
    pub still_pending: usize,
    pub failed: usize,
}

/// How long the outbox waits between attempts: 15 s doubling to 10 min, jittered so that a
/// clinic's worth of desktops coming back online do not retry in step.
const RETRY: Backoff =
    Backoff::new(Duration::from_secs(15), Duration::from_secs(600)).max_exponent(6);

fn retry_delay(attempts: u32) -> Duration {
    RETRY.delay(attempts)
}

/// Canvas may have applied a call that failed this way, so the task may exist.
pub(super) fn maybe_applied(e: &CanvasError) -> bool {
    matches!(e, CanvasError::Ambiguous { .. }) || e.status().is_some_and(|s| s >= 500 && s != 503)
}

fn whole_seconds(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

/// How long a claim holds: longer than any one call may take (its deadline, with retries),
/// so a lease runs out only when its sender died.
pub(super) fn lease(client: &CanvasClient) -> i64 {
    let call = client.config().call_timeout + Duration::from_secs(60);
    i64::try_from(call.as_millis()).unwrap_or(i64::MAX / 2)
}

/// One send of one entry, under its claim.
pub(super) struct Send<'a> {
    pub local_id: &'a str,
    pub claim: &'a str,
    pub attempts: u32,
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
            return Err(EngineError::Invalid(
                "a task needs a requester: set your practitioner in Settings".into(),
            ));
        }
        let client = self.canvas().ok_or(EngineError::NoCanvas)?;
        // Whole seconds: the time must survive Canvas's formatting to find the task again.
        draft.authored_on = Some(whole_seconds(self.clock().now()));
        let local_id = uuid::Uuid::new_v4().to_string();
        let claim = uuid::Uuid::new_v4().to_string();
        let now = self.clock().now_millis();
        let lease_until = now.saturating_add(lease(&client));
        let (id, c, system, d) = (
            local_id.clone(),
            claim.clone(),
            client.system().to_string(),
            draft.clone(),
        );
        self.shared
            .writer
            .write(move |s| {
                s.outbox_add(
                    &id,
                    &system,
                    &Work::Create { draft: d },
                    None,
                    now,
                    lease_until,
                    &c,
                )
            })
            .await?;
        self.attempt(
            &client,
            Send {
                local_id: &local_id,
                claim: &claim,
                attempts: 0,
            },
            &draft,
            false,
        )
        .await
    }

    async fn attempt(
        &self,
        client: &CanvasClient,
        send: Send<'_>,
        draft: &TaskDraft,
        uncertain: bool,
    ) -> Result<CreateOutcome, EngineError> {
        let send = &send;
        let later = |state, e: CanvasError| async move {
            let reason = self.retry_later(send, state, &e).await?;
            Ok(CreateOutcome::Pending {
                local_id: send.local_id.to_string(),
                reason,
            })
        };
        if uncertain {
            match self.find_created(client, draft).await {
                Ok(Some(task_id)) => return self.created(client, send, draft, task_id).await,
                Ok(None) => {}
                Err(e) => return later(OutboxState::Uncertain, e).await,
            }
        }
        match client.create_task(draft).await {
            Ok(task_id) => self.created(client, send, draft, task_id).await,
            // A 201 whose Location could not be read made a task all the same.
            Err(e) if maybe_applied(&e) || e.is_unread_creation() => {
                later(OutboxState::Uncertain, e).await
            }
            Err(e) if e.is_transient() => later(OutboxState::Pending, e).await,
            Err(e) => {
                self.give_up(send, e.to_string()).await?;
                Err(EngineError::Canvas(e))
            }
        }
    }

    /// Records how a send went and releases its claim.
    pub(super) async fn finish(
        &self,
        send: &Send<'_>,
        state: OutboxState,
        error: Option<String>,
        task_id: Option<String>,
        next: i64,
    ) -> Result<(), EngineError> {
        let (id, claim) = (send.local_id.to_string(), send.claim.to_string());
        let kept = self
            .shared
            .writer
            .write(move |s| {
                s.outbox_finish(
                    &id,
                    &claim,
                    state,
                    error.as_deref(),
                    task_id.as_deref(),
                    next,
                )
            })
            .await?;
        if !kept {
            tracing::warn!(
                local_id = send.local_id,
                "an outbox entry outlived its claim; its new sender records the outcome"
            );
        }
        let _ = self.shared.ui.send(UiEvent::OutboxChanged {
            local_id: send.local_id.to_string(),
        });
        Ok(())
    }

    /// Records that the entry will not be sent again, and why.
    pub(super) async fn give_up(&self, send: &Send<'_>, why: String) -> Result<(), EngineError> {
        self.finish(send, OutboxState::Failed, Some(why), None, i64::MAX)
            .await
    }

    /// Releases the claim until the entry's next retry time; returns why it waits.
    pub(super) async fn retry_later(
        &self,
        send: &Send<'_>,
        state: OutboxState,
        e: &CanvasError,
    ) -> Result<String, EngineError> {
        let delay = i64::try_from(retry_delay(send.attempts).as_millis()).unwrap_or(i64::MAX / 2);
        let next = self.clock().now_millis().saturating_add(delay);
        self.finish(send, state, Some(e.to_string()), None, next)
            .await?;
        Ok(e.to_string())
    }

    /// Looks for a task this draft may already have made: same description, requester and
    /// authored time.
    async fn find_created(
        &self,
        client: &CanvasClient,
        draft: &TaskDraft,
    ) -> Result<Option<String>, CanvasError> {
        let search = TaskSearch::new()
            .description(&draft.description)
            .requester(&draft.requester);
        let found = client.search_tasks(&search).await?;
        Ok(found
            .into_iter()
            .find(|t| {
                t.description == draft.description
                    && t.authored_on.map(whole_seconds) == draft.authored_on
                    && t.requester
                        .as_ref()
                        .is_some_and(|r| r.id == draft.requester)
            })
            .map(|t| t.id))
    }

    async fn created(
        &self,
        client: &CanvasClient,
        send: &Send<'_>,
        draft: &TaskDraft,
        task_id: String,
    ) -> Result<CreateOutcome, EngineError> {
        let event = created_event(client.system(), send.local_id, &task_id, draft);
        self.ingest_created(vec![event]).await?;
        self.finish(
            send,
            OutboxState::Created,
            None,
            Some(task_id.clone()),
            i64::MAX,
        )
        .await?;
        self.record_canvas_time(client, &task_id).await;
        Ok(CreateOutcome::Created {
            local_id: send.local_id.to_string(),
            task_id,
        })
    }

    /// Reads the new task back, so it is recorded with Canvas's own time. If the read fails,
    /// the next reconcile brings the same; the task is created either way.
    async fn record_canvas_time(&self, client: &CanvasClient, task_id: &str) {
        let read = match client.read_task(task_id).await {
            Ok(t) => self.ingest_read(vec![t], Source::Api).await.map(|_| ()),
            Err(e) => Err(e.into()),
        };
        if let Err(e) = read {
            tracing::debug!(
                task = task_id,
                "the new task could not be read back yet: {e}"
            );
        }
    }

    /// Claims and sends every outbox entry whose time has come.
    pub async fn flush_outbox(&self) -> Result<OutboxReport, EngineError> {
        let Some(client) = self.canvas() else {
            return Ok(OutboxReport::default());
        };
        let now = self.clock().now_millis();
        let (system, lease_until) = (
            client.system().to_string(),
            now.saturating_add(lease(&client)),
        );
        let claimed: Vec<Claimed> = self
            .shared
            .writer
            .write(move |s| s.outbox_claim_due(&system, now, lease_until))
            .await?;
        let mut report = OutboxReport::default();
        for c in claimed {
            let send = Send {
                local_id: &c.entry.local_id,
                claim: &c.claim,
                attempts: c.entry.attempts,
            };
            let sent = match (&c.entry.work, c.entry.task_id.as_deref()) {
                (Work::Create { draft }, _) => self
                    .attempt(&client, send, draft, c.uncertain)
                    .await
                    .map(|o| match o {
                        CreateOutcome::Created { .. } => &mut report.created,
                        CreateOutcome::Pending { .. } => &mut report.still_pending,
                    }),
                (Work::Act { action }, Some(task_id)) => self
                    .send_action(&client, send, task_id, action.clone())
                    .await
                    .map(|o| match o {
                        ActOutcome::Done { .. } => &mut report.done,
                        ActOutcome::Queued { .. } => &mut report.still_pending,
                    }),
                (Work::Act { .. }, None) => {
                    Err(EngineError::Invalid("an action without its task".into()))
                }
            };
            match sent {
                Ok(count) => *count += 1,
                Err(EngineError::Canvas(_) | EngineError::Refused(_) | EngineError::Invalid(_)) => {
                    report.failed += 1
                }
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

    /// Sends a waiting entry now rather than at its retry time. False when it is not waiting.
    pub async fn retry_now(&self, local_id: &str) -> Result<bool, EngineError> {
        let (id, now) = (local_id.to_string(), self.clock().now_millis());
        let waiting = self
            .shared
            .writer
            .write(move |s| s.outbox_retry_now(&id, now))
            .await?;
        if waiting {
            self.kick_outbox();
        }
        Ok(waiting)
    }

    /// Nudges [`Engine::run_outbox`] to try now (the network came back, say).
    pub fn kick_outbox(&self) {
        self.shared.outbox_kick.notify_one();
    }
}

fn created_event(system: &str, local_id: &str, task_id: &str, d: &TaskDraft) -> TaskEvent {
    let party = |id: &Option<String>, name: &Option<String>| {
        id.as_ref().map(|id| Party {
            id: id.clone(),
            display: name.clone(),
        })
    };
    TaskEvent {
        delivery_key: format!("create:{local_id}"),
        task: TaskRef::new(system, task_id),
        kind: EventKind::Created,
        source: Source::Api,
        // Canvas has not said when yet: this comes before anything it says.
        at: None,
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
            labels: Some(d.labels.clone()),
            permalink: None,
            full: false,
            notes: None,
        },
        external_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_grow_and_stay_bounded() {
        assert!(
            retry_delay(0) <= Duration::from_secs(15)
                && retry_delay(0) >= Duration::from_millis(7500)
        );
        assert!(
            retry_delay(30) <= Duration::from_secs(600)
                && retry_delay(30) >= Duration::from_secs(300)
        );
    }

    #[test]
    fn only_answers_that_may_have_been_applied_make_an_entry_uncertain() {
        assert!(maybe_applied(&CanvasError::Ambiguous {
            detail: "t".into()
        }));
        assert!(maybe_applied(&CanvasError::Outcome {
            status: 500,
            code: "exception".into(),
            text: String::new()
        }));
        assert!(!maybe_applied(&CanvasError::Outcome {
            status: 503,
            code: "exception".into(),
            text: String::new()
        }));
        assert!(!maybe_applied(&CanvasError::Unreachable {
            host: "h".into(),
            detail: "refused".into()
        }));
    }
}

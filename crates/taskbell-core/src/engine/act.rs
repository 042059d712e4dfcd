//! Acting on an existing task (complete, close, reopen, comment, assign, a due date): the
//! request goes into the outbox, claimed, before it is sent, exactly as a new task does, so an
//! action taken offline is sent when Canvas is back, and none is sent by two senders. What is
//! stored afterwards is what Canvas answered, never what was asked.

use super::create::{lease, maybe_applied, Send};
use super::{Engine, EngineError};
use crate::canvas::{Acted, ActionRequest, CanvasClient};
use crate::store::{OutboxState, Work};
use crate::task::{Task, TaskRef};
use serde::Serialize;

/// Canvas's clock runs in whole seconds in its `Date` header; a note made at our first send is
/// at or after this much before it.
const NOTE_CLOCK_SLACK: time::Duration = time::Duration::seconds(2);

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ActOutcome {
    /// Canvas made the change (`already` is `None`) or already had it (why, in words).
    Done { task: Task, already: Option<String> },
    /// Saved; Taskbell keeps trying. `reason` says why it is not in Canvas yet.
    Queued { local_id: String, reason: String },
}

impl Engine {
    /// Saves `request` for `task` to the outbox and sends it. A refusal (Canvas's, or the task
    /// having changed so that the request no longer makes sense) is an error in words.
    pub async fn act(
        &self,
        task: &TaskRef,
        request: ActionRequest,
    ) -> Result<ActOutcome, EngineError> {
        request.check().map_err(EngineError::Invalid)?;
        let client = self.canvas().ok_or(EngineError::NoCanvas)?;
        if task.system != client.system() {
            return Err(EngineError::Invalid(format!(
                "task {} belongs to {}, not to the Canvas Taskbell is connected to",
                task.id, task.system
            )));
        }
        let (local_id, claim) = (
            uuid::Uuid::new_v4().to_string(),
            uuid::Uuid::new_v4().to_string(),
        );
        let now = self.clock().now_millis();
        let lease_until = now.saturating_add(lease(&client));
        let work = Work::Act {
            action: request.clone(),
        };
        let (id, c, system, task_id) = (
            local_id.clone(),
            claim.clone(),
            task.system.clone(),
            task.id.clone(),
        );
        self.shared
            .writer
            .write(move |s| s.outbox_add(&id, &system, &work, Some(&task_id), now, lease_until, &c))
            .await?;
        self.send_action(
            &client,
            Send {
                local_id: &local_id,
                claim: &claim,
                attempts: 0,
            },
            &task.id,
            request,
        )
        .await
    }

    pub(super) async fn send_action(
        &self,
        client: &CanvasClient,
        send: Send<'_>,
        task_id: &str,
        mut request: ActionRequest,
    ) -> Result<ActOutcome, EngineError> {
        let queued = |reason: String| ActOutcome::Queued {
            local_id: send.local_id.to_string(),
            reason,
        };
        if !request.action.idempotent() && request.not_before.is_none() {
            // Recorded before the first send, so a resend after a lost answer can tell this
            // comment from an older one with the same words.
            let canvas_now = match client.canvas_time().await {
                Ok(t) => t,
                Err(e) => {
                    return Ok(queued(
                        self.retry_later(&send, OutboxState::Pending, &e).await?,
                    ))
                }
            };
            request.not_before = Some(canvas_now - NOTE_CLOCK_SLACK);
            let (id, claim, r) = (
                send.local_id.to_string(),
                send.claim.to_string(),
                request.clone(),
            );
            if !self
                .shared
                .writer
                .write(move |s| s.outbox_set_action(&id, &claim, &r))
                .await?
            {
                return Ok(queued("another sender took this action over".into()));
            }
        }
        let acted = match client.act(task_id, &request).await {
            Ok(acted) => acted,
            Err(e) if maybe_applied(&e) => {
                return Ok(queued(
                    self.retry_later(&send, OutboxState::Uncertain, &e).await?,
                ))
            }
            Err(e) if e.is_transient() => {
                return Ok(queued(
                    self.retry_later(&send, OutboxState::Pending, &e).await?,
                ))
            }
            Err(e) => {
                self.give_up(&send, e.to_string()).await?;
                return Err(EngineError::Canvas(e));
            }
        };
        self.ingest_own_action(acted.task().clone()).await?;
        let (task, already) = match acted {
            Acted::Applied(task) => (task, None),
            Acted::Already(task, why) => (task, Some(why)),
            Acted::Refused(_, why) => {
                self.give_up(&send, why.clone()).await?;
                return Err(EngineError::Refused(why));
            }
        };
        self.finish(&send, OutboxState::Done, None, None, i64::MAX)
            .await?;
        Ok(ActOutcome::Done { task, already })
    }
}

//! What the user asked Canvas to do and Canvas has not yet confirmed: tasks to create and
//! actions on existing tasks. The row is written before the request is sent, so a crash or an
//! outage never loses what the user asked, and it is claimed before every send (`sending`, with
//! a lease and a claim id), so no two senders, in this process or another on the same database,
//! ever send it at once.

use super::{Store, StoreError};
use crate::canvas::{ActionRequest, TaskDraft};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum OutboxState {
    /// Not yet accepted by Canvas; safe to send.
    Pending,
    /// Claimed by a sender until its lease runs out.
    Sending,
    /// Sent, but no answer came: look for it before sending again.
    Uncertain,
    Created,
    /// An action Canvas made, or found already made.
    Done,
    /// Canvas refused it (a 4xx); it will not be sent again.
    Failed,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sending => "sending",
            OutboxState::Uncertain => "uncertain",
            OutboxState::Created => "created",
            OutboxState::Done => "done",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "uncertain" => OutboxState::Uncertain,
            "sending" => OutboxState::Sending,
            "created" => OutboxState::Created,
            "done" => OutboxState::Done,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Pending,
        }
    }
}

/// What an entry asks of Canvas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
pub enum Work {
    Create {
        draft: TaskDraft,
    },
    /// On the entry's `task_id`.
    Act {
        action: ActionRequest,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OutboxEntry {
    pub local_id: String,
    pub system: String,
    #[serde(flatten)]
    pub work: Work,
    pub state: OutboxState,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// The task an action is on, or the one a create made.
    pub task_id: Option<String>,
    pub created_at: i64,
    pub next_attempt_at: i64,
}

const COLUMNS: &str =
    "local_id, system, draft, action, state, attempts, last_error, task_id, created_at, next_attempt_at";

fn json_column<T: serde::de::DeserializeOwned>(r: &Row, i: usize) -> rusqlite::Result<Option<T>> {
    let Some(text) = r.get::<_, Option<String>>(i)? else {
        return Ok(None);
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn to_json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Invalid(e.to_string()))
}

fn entry(r: &Row) -> rusqlite::Result<OutboxEntry> {
    let work = match (json_column(r, 2)?, json_column(r, 3)?) {
        (Some(draft), _) => Work::Create { draft },
        (None, Some(action)) => Work::Act { action },
        (None, None) => {
            return Err(rusqlite::Error::InvalidColumnType(
                2,
                "draft".into(),
                rusqlite::types::Type::Null,
            ))
        }
    };
    let state: String = r.get(4)?;
    Ok(OutboxEntry {
        local_id: r.get(0)?,
        system: r.get(1)?,
        work,
        state: OutboxState::parse(&state),
        attempts: r.get(5)?,
        last_error: r.get(6)?,
        task_id: r.get(7)?,
        created_at: r.get(8)?,
        next_attempt_at: r.get(9)?,
    })
}

/// An entry claimed for one send. Only the holder of `claim` may record how it went.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub entry: OutboxEntry,
    pub claim: String,
    /// It may already be in Canvas (an answer was lost, or its last sender died): look for it
    /// before sending it again.
    pub uncertain: bool,
}

/// Due to be sent: waiting and its retry time has come, or claimed by a sender whose lease ran
/// out.
fn due_at(now: &str) -> String {
    format!("((state IN ('pending', 'uncertain') AND next_attempt_at <= {now}) OR (state = 'sending' AND lease_until <= {now}))")
}

impl Store {
    /// Adds an entry already claimed by its creator, who sends it at once. `task_id` is the
    /// task an action is on.
    #[allow(clippy::too_many_arguments)]
    pub fn outbox_add(
        &self,
        local_id: &str,
        system: &str,
        work: &Work,
        task_id: Option<&str>,
        now: i64,
        lease_until: i64,
        claim: &str,
    ) -> Result<(), StoreError> {
        let (draft, action) = match work {
            Work::Create { draft } => (Some(to_json(draft)?), None),
            Work::Act { action } => (None, Some(to_json(action)?)),
        };
        self.conn.execute(
            "INSERT INTO outbox (local_id, system, draft, action, task_id, state, created_at, next_attempt_at, lease_until, claim)
             VALUES (?1, ?2, ?3, ?4, ?5, 'sending', ?6, ?6, ?7, ?8)",
            params![local_id, system, draft, action, task_id, now, lease_until, claim],
        )?;
        Ok(())
    }

    /// Claims every entry of `system` that is due at `now`, until `lease_until`. Run it in a
    /// write transaction: each claim is an UPDATE that re-checks the entry is still due, so of
    /// two claimants exactly one wins.
    pub fn outbox_claim_due(
        &self,
        system: &str,
        now: i64,
        lease_until: i64,
    ) -> Result<Vec<Claimed>, StoreError> {
        let due: Vec<OutboxEntry> = {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM outbox WHERE system = ?1 AND {} ORDER BY created_at",
                due_at("?2")
            ))?;
            let rows = stmt.query_map(params![system, now], entry)?;
            rows.collect::<Result<_, _>>()?
        };
        let mut claimed = Vec::new();
        for entry in due {
            let claim = uuid::Uuid::new_v4().to_string();
            let won = self
                .conn
                .prepare_cached(&format!(
                    "UPDATE outbox SET state = 'sending', lease_until = ?3, claim = ?4
                 WHERE local_id = ?1 AND system = ?5 AND {}",
                    due_at("?2")
                ))?
                .execute(params![entry.local_id, now, lease_until, claim, system])?;
            if won == 1 {
                let uncertain =
                    matches!(entry.state, OutboxState::Uncertain | OutboxState::Sending);
                claimed.push(Claimed {
                    entry,
                    claim,
                    uncertain,
                });
            }
        }
        Ok(claimed)
    }

    /// Records how a send went, and releases the claim. False when the claim was lost (its
    /// lease ran out and another sender took the entry): the outcome is then that sender's.
    pub fn outbox_finish(
        &self,
        local_id: &str,
        claim: &str,
        state: OutboxState,
        error: Option<&str>,
        task_id: Option<&str>,
        next_attempt_at: i64,
    ) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE outbox SET state = ?3, attempts = attempts + 1, last_error = ?4,
                task_id = COALESCE(?5, task_id), next_attempt_at = ?6, lease_until = NULL, claim = NULL
             WHERE local_id = ?1 AND claim = ?2 AND state = 'sending'",
            params![local_id, claim, state.as_str(), error, task_id, next_attempt_at],
        )?;
        Ok(n == 1)
    }

    /// Rewrites a claimed action (to record when it was first sent). False when the claim was lost.
    pub fn outbox_set_action(
        &self,
        local_id: &str,
        claim: &str,
        action: &ActionRequest,
    ) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE outbox SET action = ?3 WHERE local_id = ?1 AND claim = ?2 AND state = 'sending' AND action IS NOT NULL",
            params![local_id, claim, to_json(action)?],
        )?;
        Ok(n == 1)
    }

    /// Makes a waiting entry due at `now` (the user asked to retry it now). False when it is not
    /// waiting (sent, being sent, or refused).
    pub fn outbox_retry_now(&self, local_id: &str, now: i64) -> Result<bool, StoreError> {
        let n = self.conn.execute(
            "UPDATE outbox SET next_attempt_at = ?2 WHERE local_id = ?1 AND state IN ('pending', 'uncertain')",
            params![local_id, now],
        )?;
        Ok(n == 1)
    }

    /// Entries still to be sent whose retry time has come, or whose sender's lease ran out.
    pub fn outbox_due(&self, now: i64) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE {} ORDER BY created_at",
            due_at("?1")
        ))?;
        let rows = stmt.query_map(params![now], entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every task not yet created, for the UI's "pending" list.
    pub fn outbox_open(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE draft IS NOT NULL AND state != 'created' ORDER BY created_at"
        ))?;
        let rows = stmt.query_map([], entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The actions on a task that Canvas has not made yet (waiting, being sent, or refused).
    pub fn outbox_actions(
        &self,
        system: &str,
        task_id: &str,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE action IS NOT NULL AND system = ?1 AND task_id = ?2
             AND state != 'done' ORDER BY created_at"
        ))?;
        let rows = stmt.query_map(params![system, task_id], entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The actions this user asked for on a task since `since` (Unix ms, the desktop's clock, as
    /// the outbox stamps them), whatever became of them: Canvas's news of a change that is one
    /// of these is not news to the user.
    pub fn own_actions_since(
        &self,
        system: &str,
        task_id: &str,
        since: i64,
    ) -> Result<Vec<crate::canvas::TaskAction>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT action FROM outbox WHERE action IS NOT NULL AND system = ?1 AND task_id = ?2 AND created_at >= ?3",
        )?;
        let rows = stmt.query_map(params![system, task_id, since], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for text in rows {
            if let Ok(req) = serde_json::from_str::<crate::canvas::ActionRequest>(&text?) {
                out.push(req.action);
            }
        }
        Ok(out)
    }

    pub fn outbox_entry(&self, local_id: &str) -> Result<Option<OutboxEntry>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE local_id = ?1");
        Ok(self
            .conn
            .query_row(&sql, params![local_id], entry)
            .optional()?)
    }
}

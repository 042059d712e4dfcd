//! Tasks waiting to be created in Canvas. The row is written before the POST is sent, so a
//! crash or an outage never loses what the user typed.

use super::{Store, StoreError};
use crate::canvas::TaskDraft;
use crate::time_util::now_millis;
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutboxState {
    /// Not yet accepted by Canvas; safe to send.
    Pending,
    /// Sent, but no answer came: look for it before sending again.
    Uncertain,
    Created,
    /// Canvas refused it (a 4xx); it will not be sent again.
    Failed,
}

impl OutboxState {
    fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Uncertain => "uncertain",
            OutboxState::Created => "created",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "uncertain" => OutboxState::Uncertain,
            "created" => OutboxState::Created,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Pending,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub local_id: String,
    pub system: String,
    pub draft: TaskDraft,
    pub state: OutboxState,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub task_id: Option<String>,
    pub created_at: i64,
    pub next_attempt_at: i64,
}

const COLUMNS: &str = "local_id, system, draft, state, attempts, last_error, task_id, created_at, next_attempt_at";

fn entry(r: &Row) -> rusqlite::Result<OutboxEntry> {
    let draft: String = r.get(2)?;
    let state: String = r.get(3)?;
    Ok(OutboxEntry {
        local_id: r.get(0)?,
        system: r.get(1)?,
        draft: serde_json::from_str(&draft)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?,
        state: OutboxState::parse(&state),
        attempts: r.get(4)?,
        last_error: r.get(5)?,
        task_id: r.get(6)?,
        created_at: r.get(7)?,
        next_attempt_at: r.get(8)?,
    })
}

impl Store {
    pub fn outbox_add(&self, local_id: &str, system: &str, draft: &TaskDraft) -> Result<(), StoreError> {
        let json = serde_json::to_string(draft).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let now = now_millis();
        self.conn.execute(
            "INSERT INTO outbox (local_id, system, draft, state, created_at, next_attempt_at)
             VALUES (?1, ?2, ?3, 'pending', ?4, ?4)",
            params![local_id, system, json, now],
        )?;
        Ok(())
    }

    /// Entries still to be sent whose retry time has come.
    pub fn outbox_due(&self, now: i64) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE state IN ('pending', 'uncertain') AND next_attempt_at <= ?1
             ORDER BY created_at"
        ))?;
        let rows = stmt.query_map(params![now], entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Everything not yet created, for the UI's "pending" list.
    pub fn outbox_open(&self) -> Result<Vec<OutboxEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE state != 'created' ORDER BY created_at"
        ))?;
        let rows = stmt.query_map([], entry)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn outbox_entry(&self, local_id: &str) -> Result<Option<OutboxEntry>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM outbox WHERE local_id = ?1");
        Ok(self.conn.query_row(&sql, params![local_id], entry).optional()?)
    }

    pub fn outbox_mark(
        &self,
        local_id: &str,
        state: OutboxState,
        error: Option<&str>,
        task_id: Option<&str>,
        next_attempt_at: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE outbox SET state = ?2, attempts = attempts + 1, last_error = ?3,
                task_id = COALESCE(?4, task_id), next_attempt_at = ?5 WHERE local_id = ?1",
            params![local_id, state.as_str(), error, task_id, next_attempt_at],
        )?;
        Ok(())
    }
}

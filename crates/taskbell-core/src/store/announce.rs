//! Transitions waiting to be announced: marked in the transaction that stores them, cleared once
//! the notification went to the desktop, so a crash in between is made good at the next start.

use super::history::{select_task, TaskRow};
use super::{Store, StoreError};
use crate::task::TaskRef;
use rusqlite::params;

/// A stored transition the user has not been told about yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Unannounced {
    /// The event's row in the timeline.
    pub event: i64,
    pub actor: Option<String>,
    /// The task as stored now.
    pub row: TaskRow,
}

impl Store {
    pub fn mark_to_announce(&self, event: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE task_events SET announce = 1 WHERE rowid = ?1",
            params![event],
        )?;
        Ok(())
    }

    pub fn announced(&self, event: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE task_events SET announce = 0 WHERE rowid = ?1",
            params![event],
        )?;
        Ok(())
    }

    /// The newest event's row: what an announcement in flight cannot be older than.
    pub fn last_event(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT coalesce(max(rowid), 0) FROM task_events", [], |r| {
                r.get(0)
            })?)
    }

    /// Every transition up to the event `up_to` still to be announced, oldest first.
    pub fn unannounced(&self, up_to: i64) -> Result<Vec<Unannounced>, StoreError> {
        let marked: Vec<(i64, String, String, Option<String>)> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT rowid, system, task_id, actor FROM task_events WHERE announce = 1 AND rowid <= ?1 ORDER BY rowid",
            )?;
            let rows = stmt.query_map(params![up_to], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?;
            rows.collect::<Result<_, _>>()?
        };
        let mut out = Vec::with_capacity(marked.len());
        for (event, system, task_id, actor) in marked {
            if let Some(row) = select_task(&self.conn, &TaskRef::new(system, task_id))? {
                out.push(Unannounced { event, actor, row });
            }
        }
        Ok(out)
    }
}

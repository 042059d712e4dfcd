//! Where the poller left off, per system, so a restart resumes instead of rescanning.

use super::{Store, StoreError};
use crate::time_util::now_millis;
use rusqlite::{params, OptionalExtension};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollCursor {
    /// Changes up to this instant (Unix ms, Canvas's clock) have been seen.
    pub cursor_at: i64,
    /// Whether the server took a `modified` search last time; `None` until tried.
    pub modified_supported: Option<bool>,
}

impl Store {
    pub fn poll_cursor(&self, system: &str) -> Result<Option<PollCursor>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT cursor_at, modified_supported FROM poll_cursors WHERE system = ?1",
                params![system],
                |r| {
                    Ok(PollCursor {
                        cursor_at: r.get(0)?,
                        modified_supported: r.get(1)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn set_poll_cursor(&self, system: &str, c: &PollCursor) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO poll_cursors (system, cursor_at, modified_supported, updated_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (system) DO UPDATE SET cursor_at = excluded.cursor_at,
                modified_supported = excluded.modified_supported, updated_at = excluded.updated_at",
            params![system, c.cursor_at, c.modified_supported, now_millis()],
        )?;
        Ok(())
    }
}

impl Store {
    /// Ids of the open tasks of `system`: what a reconcile must check when it cannot ask Canvas
    /// for changes.
    pub fn open_task_ids(&self, system: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT task_id FROM tasks WHERE system = ?1 AND status = 'open'")?;
        let ids = stmt.query_map(params![system], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// The oldest Canvas time among the open tasks of `system`: how far back a first reconcile
    /// looks for their changes.
    pub fn oldest_open_modified(&self, system: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.conn.query_row(
            "SELECT min(modified_at) FROM tasks WHERE system = ?1 AND status = 'open'",
            params![system],
            |r| r.get(0),
        )?)
    }

    /// Open tasks of `system` that Canvas has never described to this store (created here, not
    /// read back yet): no Canvas time says where their changes begin.
    pub fn unconfirmed_open_ids(&self, system: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT task_id FROM tasks WHERE system = ?1 AND status = 'open' AND modified_at IS NULL")?;
        let ids = stmt.query_map(params![system], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// The stored status of each of `ids` that the store knows.
    pub fn statuses(
        &self,
        system: &str,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, crate::TaskStatus>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT status FROM tasks WHERE system = ?1 AND task_id = ?2")?;
        let mut out = std::collections::HashMap::new();
        for id in ids {
            let status: Option<String> = stmt
                .query_row(params![system, id], |r| r.get(0))
                .optional()?;
            if let Some(s) = status.and_then(|s| s.parse().ok()) {
                out.insert(id.clone(), s);
            }
        }
        Ok(out)
    }
}

impl Store {
    /// Tasks of `system` a hint asked to be read, each with how many hints asked so far.
    pub fn pending_reads(&self, system: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT task_id, hints FROM pending_reads WHERE system = ?1")?;
        let rows = stmt.query_map(params![system], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Clears a request once a read answered it, unless more hints than the `hints` seen when
    /// the read began have come since: those ask for another read.
    pub fn clear_pending_read(
        &self,
        system: &str,
        task_id: &str,
        hints: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM pending_reads WHERE system = ?1 AND task_id = ?2 AND hints = ?3",
            params![system, task_id, hints],
        )?;
        Ok(())
    }
}

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
                |r| Ok(PollCursor { cursor_at: r.get(0)?, modified_supported: r.get(1)? }),
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
        let mut stmt = self.conn.prepare_cached("SELECT task_id FROM tasks WHERE system = ?1 AND status = 'open'")?;
        let ids = stmt.query_map(params![system], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// When the oldest open task of `system` was created: how far back a first reconcile looks.
    pub fn oldest_open_created(&self, system: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.conn.query_row(
            "SELECT min(created_at) FROM tasks WHERE system = ?1 AND status = 'open'",
            params![system],
            |r| r.get(0),
        )?)
    }

    /// The stored status of each of `ids` that the store knows.
    pub fn statuses(
        &self,
        system: &str,
        ids: &[String],
    ) -> Result<std::collections::HashMap<String, crate::TaskStatus>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT status FROM tasks WHERE system = ?1 AND task_id = ?2")?;
        let mut out = std::collections::HashMap::new();
        for id in ids {
            let status: Option<String> = stmt.query_row(params![system, id], |r| r.get(0)).optional()?;
            if let Some(s) = status.and_then(|s| s.parse().ok()) {
                out.insert(id.clone(), s);
            }
        }
        Ok(out)
    }
}

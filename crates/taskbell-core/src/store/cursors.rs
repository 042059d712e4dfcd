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

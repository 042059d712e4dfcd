//! SQLite: the one place Taskbell's history lives. A file only the user can read, in WAL mode,
//! its schema grown by numbered SQL migrations. Plain SQLite, used the documented way: a commit
//! is durable once it returns (`synchronous=FULL`), SQLite checkpoints the WAL itself, and the
//! WAL shrinks back after a burst.

mod apply;
mod cursors;
mod for_me;
mod history;
mod notices;
mod outbox;
mod private;
mod reminders;
mod schema;

use apply::apply_event;
pub use apply::{Applied, ApplyCtx, Holder, NewNote};
pub use cursors::PollCursor;
pub use for_me::{ForMeQuery, ForMeRow, ForWhom};
#[cfg(test)]
pub(crate) use history::example_row;
pub use history::{Cursor, DayCount, EventRow, HistoryPage, HistoryQuery, Stats, TaskRow};
pub use notices::{NewNotice, Notice};
pub use outbox::Claimed;
pub use outbox::{OutboxEntry, OutboxState, Work};
pub use reminders::{Reminder, ReminderKind, ReminderRules};

use rusqlite::{Connection, OpenFlags};
use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the task database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the task database at {path} could not be opened: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the task database could not be upgraded: {0}")]
    Migration(String),
    #[error("{0}")]
    Invalid(String),
}

/// Bytes the WAL file keeps between bursts.
const WAL_SIZE_LIMIT: i64 = 64 << 20;

/// How long a statement waits for another connection (another process) to let go.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating with mode 0600 if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Open {
                path: path.into(),
                source,
            })?;
        }
        // Create the file ourselves so it is never, even briefly, readable by others; SQLite
        // gives its -wal and -shm files the database file's mode.
        OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|source| StoreError::Open {
                path: path.into(),
                source,
            })?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // An acknowledged event survives a power cut, not only a crash: the writer commits what
        // is queued together, so one fsync covers a whole burst.
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        schema::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// A connection that reads only: SQLite refuses any write on it. The database must exist
    /// (the writer's [`Store::open`] creates and migrates it).
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(Store { conn })
    }

    /// Applies one event inside the caller's transaction.
    pub fn apply_event(&self, e: &crate::TaskEvent, ctx: &ApplyCtx) -> Result<Applied, StoreError> {
        apply_event(&self.conn, e, ctx)
    }

    /// Opens a write transaction, taking the write lock at once (so it never fails halfway
    /// for another writer).
    pub fn begin(&self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("BEGIN IMMEDIATE")?)
    }

    pub fn commit(&self) -> Result<(), StoreError> {
        self.conn.execute_batch("COMMIT").map_err(|e| {
            let _ = self.conn.execute_batch("ROLLBACK");
            StoreError::from(e)
        })
    }

    /// Runs `f` so that, if it fails, only its own writes are undone.
    pub fn in_savepoint<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.conn.execute_batch("SAVEPOINT job")?;
        let outcome = f(self);
        let end = if outcome.is_ok() {
            "RELEASE job"
        } else {
            "ROLLBACK TO job; RELEASE job"
        };
        self.conn.execute_batch(end)?;
        outcome
    }

    /// The journal mode and the `synchronous` level this connection runs with.
    pub fn durability(&self) -> Result<(String, i64), StoreError> {
        let mode = self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        let sync = self
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))?;
        Ok((mode, sync))
    }
}

impl Store {
    /// Applies one event in its own transaction.
    pub fn apply(&mut self, event: &crate::TaskEvent, mine: bool) -> Result<Applied, StoreError> {
        Ok(self
            .apply_batch(std::slice::from_ref(event), mine)?
            .remove(0))
    }

    /// Applies many events in one transaction: one commit (one fsync) for the whole group.
    /// Hints are applied as they come: there is no Canvas to ask here.
    pub fn apply_batch(
        &mut self,
        events: &[crate::TaskEvent],
        mine: bool,
    ) -> Result<Vec<Applied>, StoreError> {
        let ctx = ApplyCtx {
            mine,
            received_at: crate::time_util::now_millis(),
            readable: None,
        };
        let tx = self.conn.transaction()?;
        let applied = events
            .iter()
            .map(|e| apply_event(&tx, e, &ctx))
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit()?;
        Ok(applied)
    }

    pub fn event_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM task_events", [], |r| r.get(0))?)
    }

    pub fn task_count(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::Store;

    #[test]
    fn a_writing_connection_is_wal_and_durable_and_a_reader_cannot_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let store = Store::open(&path).expect("open");
        let (mode, sync) = store.durability().expect("pragmas");
        assert_eq!(
            (mode.as_str(), sync),
            ("wal", 2),
            "WAL with synchronous=FULL"
        );
        let reader = Store::open_read_only(&path).expect("reader");
        assert!(
            reader.conn.execute("DELETE FROM tasks", []).is_err(),
            "a reader refuses writes"
        );
        assert_eq!(reader.task_count().expect("reads"), 0);
    }
}

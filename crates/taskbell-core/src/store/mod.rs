//! SQLite: the one place Taskbell's history lives. A file only the user can read, in WAL mode,
//! its schema grown by numbered SQL migrations.

mod apply;
mod cursors;
mod history;
mod outbox;
mod schema;
mod wal_vfs;

pub use apply::{apply_event, ApplyCtx, Applied};
pub use outbox::Claimed;
pub use cursors::PollCursor;
#[cfg(test)]
pub(crate) use history::example_row;
pub use history::{Cursor, DayCount, EventRow, HistoryPage, HistoryQuery, Stats, TaskRow};
pub use outbox::{OutboxEntry, OutboxState};

use rusqlite::{Connection, OpenFlags};
use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the task database failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the task database at {path} could not be opened: {source}")]
    Open { path: PathBuf, source: std::io::Error },
    #[error("the task database could not be upgraded: {0}")]
    Migration(String),
    #[error("{0}")]
    Invalid(String),
}

pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating with mode 0600 if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Open { path: path.into(), source })?;
        }
        // Create the file ourselves so it is never, even briefly, readable by others; SQLite
        // gives its -wal and -shm files the database file's mode.
        OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)
            .map_err(|source| StoreError::Open { path: path.into(), source })?;
        let mut conn = match wal_vfs::register() {
            Ok(()) => Connection::open_with_flags_and_vfs(path, OpenFlags::default(), wal_vfs::VFS_NAME.to_str().unwrap_or_default())?,
            Err(rc) => {
                tracing::warn!("gathered WAL writes are off (SQLite error {rc}); commits cost more system calls");
                Connection::open(path)?
            }
        };
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // In WAL mode NORMAL makes a commit durable once it is in the OS: it survives Taskbell
        // being killed (the durability test SIGKILLs it mid-stream), and spares an fsync per
        // commit group. A power cut may lose the last commits; Canvas still holds every task
        // and the next reconcile brings them back.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Room for the write path's statements, one per shape of changed columns among them.
        conn.set_prepared_statement_cache_capacity(64);
        schema::migrate(&mut conn)?;
        Ok(Store { conn })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

impl Store {
    /// Applies one event in its own transaction.
    pub fn apply(&mut self, event: &crate::TaskEvent, mine: bool) -> Result<Applied, StoreError> {
        Ok(self.apply_batch(std::slice::from_ref(event), mine)?.remove(0))
    }

    /// Applies many events in one transaction: one commit (one fsync) for the whole group.
    /// Hints are applied as they come: there is no Canvas to ask here.
    pub fn apply_batch(&mut self, events: &[crate::TaskEvent], mine: bool) -> Result<Vec<Applied>, StoreError> {
        let ctx = ApplyCtx { mine, received_at: crate::time_util::now_millis(), readable: None };
        let tx = self.conn.transaction()?;
        let applied = events.iter().map(|e| apply_event(&tx, e, &ctx)).collect::<Result<Vec<_>, _>>()?;
        tx.commit()?;
        Ok(applied)
    }

    pub fn event_count(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM task_events", [], |r| r.get(0))?)
    }

    pub fn task_count(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))?)
    }
}

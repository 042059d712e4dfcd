//! Copies the WAL back into the database on a thread of its own. Left to SQLite, the commit that
//! crosses the WAL's size threshold does the checkpoint itself, and every caller in that commit
//! group waits for it; here the writer never checkpoints and its commits stay short.

use crate::store::{Store, StoreError};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

const EVERY: Duration = Duration::from_millis(500);

/// Stops the thread when dropped.
pub(crate) struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

impl Checkpointer {
    pub fn start(path: &Path) -> Result<Checkpointer, StoreError> {
        let store = Store::open(path)?;
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("taskbell-checkpoint".into())
            .spawn(move || {
                // A disconnected channel (the engine is gone) ends the loop like a message would.
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    // PASSIVE never blocks the writer; what it cannot copy now it copies next time.
                    if let Err(e) = store.conn().query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::warn!("the database checkpoint failed: {e}");
                    }
                }
            })
            .map_err(|e| StoreError::Invalid(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Checkpointer { _stop: stop })
    }
}

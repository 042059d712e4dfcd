//! Copies the WAL back into the database on a thread of its own. Left to SQLite, the commit that
//! crosses the WAL's size threshold does the checkpoint itself, and every caller in that commit
//! group waits for it; here the writer never checkpoints and its commits stay short.

use crate::store::{Store, StoreError};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

const EVERY: Duration = Duration::from_millis(500);

/// WAL frames past which the WAL is restarted even though the writer has to wait for it.
const RESTART_AT_FRAMES: i64 = 64 * 1024;

/// PASSIVE never blocks the writer; what it cannot copy now it copies next time. But while the
/// writer keeps appending, a PASSIVE checkpoint never catches up, and the WAL would grow for as
/// long as a flood lasts: past [`RESTART_AT_FRAMES`] (256 MiB of 4 KiB pages) a RESTART
/// checkpoint makes the writer wait for the last frames to be copied (tens of milliseconds,
/// after the PASSIVE one did the bulk) so the WAL starts over from its beginning.
fn checkpoint(store: &Store) -> rusqlite::Result<()> {
    let frames: i64 = store.conn().query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))?;
    if frames > RESTART_AT_FRAMES {
        let started = std::time::Instant::now();
        store.conn().query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()))?;
        tracing::info!(frames, took_ms = started.elapsed().as_millis() as u64, "the WAL was restarted during a burst");
    }
    Ok(())
}

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
                    if let Err(e) = checkpoint(&store) {
                        tracing::warn!("the database checkpoint failed: {e}");
                    }
                }
            })
            .map_err(|e| StoreError::Invalid(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Checkpointer { _stop: stop })
    }
}

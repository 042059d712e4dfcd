//! Copies the WAL back into the database on a thread of its own. Left to SQLite, the commit that
//! crosses the WAL's size threshold does the checkpoint itself, and every caller in that commit
//! group waits for it; here the writer never checkpoints and its commits stay short.

use crate::store::{Store, StoreError};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

const EVERY: Duration = Duration::from_millis(500);

/// WAL frames past which the writer is asked to finish the checkpoint itself.
pub(crate) const RESTART_AT_FRAMES: i64 = 64 * 1024;

/// PASSIVE never blocks the writer; what it cannot copy now it copies next time. But while the
/// writer keeps appending, a PASSIVE checkpoint never catches up, and the WAL would grow for as
/// long as a flood lasts. Past [`RESTART_AT_FRAMES`] (256 MiB of 4 KiB pages) this thread asks
/// the writer, through `restart`, to run one checkpoint of its own between two groups: with
/// nothing appended meanwhile it copies the last frames (the bulk is already done here) and the
/// next commit starts the WAL over from its beginning. Waiting for the write lock from here
/// instead would starve: the writer takes it again the moment it lets go.
fn checkpoint(store: &Store, restart_at_frames: i64, restart: &AtomicBool) -> rusqlite::Result<()> {
    let frames: i64 = store.conn().query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))?;
    if frames > restart_at_frames {
        restart.store(true, Ordering::Relaxed);
    }
    Ok(())
}

/// The writer's side: called between groups.
pub(crate) fn restart_if_asked(store: &Store, restart: &AtomicBool) {
    if !restart.swap(false, Ordering::Relaxed) {
        return;
    }
    let started = std::time::Instant::now();
    match store.conn().query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)) {
        Ok(frames) => {
            tracing::info!(frames, took_ms = started.elapsed().as_millis() as u64, "the WAL was checkpointed during a burst")
        }
        Err(e) => tracing::warn!("the database checkpoint failed: {e}"),
    }
}

/// Stops the thread when dropped.
pub(crate) struct Checkpointer {
    _stop: mpsc::Sender<()>,
}

impl Checkpointer {
    /// `restart` is raised when the writer should finish a checkpoint itself.
    pub fn start(path: &Path, restart_at_frames: i64, restart: Arc<AtomicBool>) -> Result<Checkpointer, StoreError> {
        let store = Store::open(path)?;
        let (stop, stopped) = mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("taskbell-checkpoint".into())
            .spawn(move || {
                // A disconnected channel (the engine is gone) ends the loop like a message would.
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(EVERY) {
                    if let Err(e) = checkpoint(&store, restart_at_frames, &restart) {
                        tracing::warn!("the database checkpoint failed: {e}");
                    }
                }
            })
            .map_err(|e| StoreError::Invalid(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Checkpointer { _stop: stop })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const THRESHOLD: i64 = 64;

    fn commit_rows(store: &Store, rows: usize) {
        let c = store.conn();
        c.execute_batch("BEGIN IMMEDIATE").expect("begins");
        for n in 0..rows {
            c.execute("INSERT INTO t (v) VALUES (?1)", [format!("{n} {}", "x".repeat(1500))]).expect("inserts");
        }
        c.execute_batch("COMMIT").expect("commits");
    }

    fn wal_frames(store: &Store) -> i64 {
        store.conn().query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1)).expect("frames")
    }

    /// A flood outruns the checkpointer: here a reader's snapshot holds the checkpointer's copy
    /// back, as the writer's appends do during a flood, so the checkpoint cannot finish and the
    /// WAL cannot start over. Returns the frames in the WAL after the reader has gone and the
    /// writer committed once more, with the writer heeding the checkpointer's request or not.
    fn wal_after_an_outrun_checkpoint(writer_heeds: bool) -> i64 {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.db");
        let writer = Store::open(&path).expect("opens");
        writer.conn().pragma_update(None, "wal_autocheckpoint", 0).expect("pragma");
        writer.conn().execute_batch("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").expect("table");
        let (checkpointer, reader) = (Store::open(&path).expect("opens"), Store::open(&path).expect("opens"));
        commit_rows(&writer, 200);

        reader.conn().execute_batch("BEGIN").expect("begins");
        let _: i64 = reader.conn().query_row("SELECT count(*) FROM t", [], |r| r.get(0)).expect("reads");
        commit_rows(&writer, 200);
        let restart = AtomicBool::new(false);
        checkpoint(&checkpointer, THRESHOLD, &restart).expect("checkpoints");
        assert!(restart.load(Ordering::Relaxed), "past {THRESHOLD} frames the checkpointer asks the writer");
        reader.conn().execute_batch("COMMIT").expect("ends");

        if writer_heeds {
            restart_if_asked(&writer, &restart);
            assert!(!restart.load(Ordering::Relaxed), "the request is taken once");
        }
        commit_rows(&writer, 1);
        wal_frames(&checkpointer)
    }

    #[test]
    fn a_checkpoint_the_writer_finishes_lets_the_wal_start_over() {
        let heeded = wal_after_an_outrun_checkpoint(true);
        let ignored = wal_after_an_outrun_checkpoint(false);
        assert!(heeded < THRESHOLD, "after the writer's checkpoint the WAL starts over: {heeded} frames");
        assert!(ignored > 3 * THRESHOLD, "without it the WAL keeps every frame: {ignored} frames");
    }
}

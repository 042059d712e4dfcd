//! The single writer: one thread owns the write connection and runs every write job. Jobs that
//! queue up while a commit is under way are committed together, so a burst of events costs one
//! fsync rather than one per event, and a caller hears back only after its job is durable.

use crate::store::{Store, StoreError};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Upper bound on one group, so a flood still commits (and answers) in steady slices.
const MAX_GROUP: usize = 512;

/// Given the store, a job runs and hands back how to answer once the group's fate is known;
/// given `None` (the group could not start) it answers without running.
type Job = Box<dyn FnOnce(Option<&Store>) -> Box<dyn FnOnce(Result<(), String>) + Send> + Send>;

#[derive(Clone)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the task database could not commit: {0}")]
    Commit(String),
    #[error("the task database writer has stopped")]
    Stopped,
}

impl Writer {
    pub fn start(store: Store) -> (Writer, std::thread::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel::<Job>();
        let handle = std::thread::Builder::new()
            .name("taskbell-writer".into())
            .spawn(move || run(store, rx))
            .expect("spawning the writer thread");
        (Writer { jobs: tx }, handle)
    }

    /// Runs `f` inside the next group transaction and returns its result once committed.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, WriteError> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            let result = match store {
                Some(store) => in_savepoint(store, f),
                None => Err(StoreError::Invalid("not run".into())),
            };
            Box::new(move |committed: Result<(), String>| {
                let outcome = match (committed, result) {
                    (Ok(()), r) => r.map_err(WriteError::from),
                    (Err(e), _) => Err(WriteError::Commit(e)),
                };
                let _ = reply.send(outcome);
            })
        });
        self.jobs.send(job).map_err(|_| WriteError::Stopped)?;
        answer.await.map_err(|_| WriteError::Stopped)?
    }
}

/// A failing job rolls back only its own writes; the rest of the group still commits.
fn in_savepoint<T>(store: &Store, f: impl FnOnce(&Store) -> Result<T, StoreError>) -> Result<T, StoreError> {
    store.conn().execute_batch("SAVEPOINT job")?;
    match f(store) {
        Ok(v) => {
            store.conn().execute_batch("RELEASE job")?;
            Ok(v)
        }
        Err(e) => {
            store.conn().execute_batch("ROLLBACK TO job; RELEASE job")?;
            Err(e)
        }
    }
}

fn run(store: Store, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let began = store.conn().execute_batch("BEGIN IMMEDIATE");
        if let Err(e) = began {
            let msg = e.to_string();
            // Nothing ran: every caller hears why.
            for job in group {
                job(None)(Err(msg.clone()));
            }
            continue;
        }
        let finishes: Vec<_> = group.into_iter().map(|job| job(Some(&store))).collect();
        let committed = store.conn().execute_batch("COMMIT").map_err(|e| {
            let _ = store.conn().execute_batch("ROLLBACK");
            e.to_string()
        });
        for finish in finishes {
            finish(committed.clone());
        }
    }
}

//! The single writer: one thread owns the write connection and runs every write job. Jobs that
//! queue up while a commit is under way are committed together, so a burst of events costs one
//! commit (one fsync) rather than one per event, and a caller hears back only after its job is
//! durable. Each job runs in a savepoint of its own, so a job that fails rolls back alone and
//! the rest of its group still commits.

use crate::store::{Store, StoreError};
use std::sync::mpsc;
use tokio::sync::oneshot;

/// Upper bound on one group, so a flood still commits (and answers) in steady slices.
const MAX_GROUP: usize = 512;

/// A job as the writer thread holds it: run once inside the group's transaction; answered once
/// the group's commit is known.
type Job = Box<dyn FnOnce(&Store) -> Box<dyn FnOnce(Result<(), String>) + Send> + Send>;

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
        let (reply, answer) = oneshot::channel::<Result<T, WriteError>>();
        let job: Job = Box::new(move |store: &Store| {
            let outcome = store.in_savepoint(f);
            Box::new(move |committed: Result<(), String>| {
                let result = match committed {
                    Ok(()) => outcome.map_err(WriteError::from),
                    Err(e) => Err(WriteError::Commit(e)),
                };
                let _ = reply.send(result);
            })
        });
        self.jobs.send(job).map_err(|_| WriteError::Stopped)?;
        answer.await.map_err(|_| WriteError::Stopped)?
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
        if let Err(e) = store.begin() {
            let e = e.to_string();
            for job in group {
                job(&store)(Err(e.clone()));
            }
            continue;
        }
        let answers: Vec<_> = group.into_iter().map(|job| job(&store)).collect();
        let committed = store.commit().map_err(|e| e.to_string());
        for answer in answers {
            answer(committed.clone());
        }
    }
}

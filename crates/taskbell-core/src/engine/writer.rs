//! The single writer: one thread owns the write connection and runs every write job. Jobs that
//! queue up while a commit is under way are committed together, so a burst of events costs one
//! commit rather than one per event, and a caller hears back only after its job is durable.
//!
//! A group runs first without savepoints (they cost a copy of every page a job touches). If a job
//! fails, the group is rolled back and run again with a savepoint around each job, so the failing
//! one rolls back alone and the rest still commit: jobs are `Fn` for that reason.

use crate::store::{Store, StoreError};
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc};
use tokio::sync::oneshot;

/// Upper bound on one group, so a flood still commits (and answers) in steady slices.
const MAX_GROUP: usize = 512;

trait Job: Send {
    /// Runs the work inside the group's transaction, keeping its outcome; returns whether it
    /// succeeded. May run twice when the group is retried.
    fn run(&mut self, store: &Store) -> bool;
    /// Answers the caller once the group's fate is known.
    fn finish(self: Box<Self>, committed: Result<(), String>);
}

type Reply<T> = oneshot::Sender<Result<T, WriteError>>;

struct Pending<T, F> {
    work: F,
    outcome: Option<Result<T, StoreError>>,
    reply: Reply<T>,
}

impl<T: Send, F: Fn(&Store) -> Result<T, StoreError> + Send> Job for Pending<T, F> {
    fn run(&mut self, store: &Store) -> bool {
        let outcome = (self.work)(store);
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn finish(self: Box<Self>, committed: Result<(), String>) {
        let outcome = match (committed, self.outcome) {
            (Ok(()), Some(r)) => r.map_err(WriteError::from),
            (Ok(()), None) => Err(WriteError::Commit("the job did not run".into())),
            (Err(e), _) => Err(WriteError::Commit(e)),
        };
        let _ = self.reply.send(outcome);
    }
}

#[derive(Clone)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
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
    /// `restart`: raised by the checkpointer when the writer should finish a checkpoint.
    pub fn start(store: Store, restart: Arc<AtomicBool>) -> (Writer, std::thread::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let handle = std::thread::Builder::new()
            .name("taskbell-writer".into())
            .spawn(move || run(store, rx, restart))
            .expect("spawning the writer thread");
        (Writer { jobs: tx }, handle)
    }

    /// Runs `f` inside the next group transaction and returns its result once committed.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl Fn(&Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, WriteError> {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Box::new(Pending { work: f, outcome: None, reply })).map_err(|_| WriteError::Stopped)?;
        answer.await.map_err(|_| WriteError::Stopped)?
    }
}

fn run(store: Store, rx: mpsc::Receiver<Box<dyn Job>>, restart: Arc<AtomicBool>) {
    while let Ok(first) = rx.recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let committed = commit_group(&store, &mut group);
        for job in group {
            job.finish(committed.clone());
        }
        super::checkpoint::restart_if_asked(&store, &restart);
    }
}

fn commit_group(store: &Store, group: &mut [Box<dyn Job>]) -> Result<(), String> {
    let conn = store.conn();
    begin(store)?;
    let mut all_ok = true;
    for job in group.iter_mut() {
        all_ok &= job.run(store);
    }
    if !all_ok {
        let _ = conn.execute_batch("ROLLBACK");
        begin(store)?;
        for job in group.iter_mut() {
            in_savepoint(store, job.as_mut());
        }
    }
    conn.execute_batch("COMMIT").map_err(|e| {
        let _ = conn.execute_batch("ROLLBACK");
        e.to_string()
    })
}

fn begin(store: &Store) -> Result<(), String> {
    store.conn().execute_batch("BEGIN IMMEDIATE").map_err(|e| e.to_string())
}

/// A failing job rolls back only its own writes.
fn in_savepoint(store: &Store, job: &mut dyn Job) {
    let conn = store.conn();
    if conn.execute_batch("SAVEPOINT job").is_err() {
        return;
    }
    let sql = if job.run(store) { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
    let _ = conn.execute_batch(sql);
}

//! Hints: pushes that say a task changed without Canvas's time for it (the seed plugins, a
//! bearer-only sender, an older companion plugin). The store has queued each such task for a
//! read; this reads it from Canvas once, however many hints came, and applies what Canvas says.
//! A read that fails leaves the request queued for the next turn or the next reconcile.

use super::{Engine, EngineError};
use crate::task::{Source, Task, TaskEvent};
use futures_util::{stream, StreamExt};

/// Reads in flight at once.
const PARALLEL: usize = 4;

impl Engine {
    /// Reads every task a hint asked about and ingests Canvas's answer. Returns how many tasks
    /// were read; fails with the first read that failed, after storing the others.
    pub async fn read_hinted(&self) -> Result<usize, EngineError> {
        let Some(client) = self.canvas() else {
            return Ok(0);
        };
        let system = client.system().to_string();
        let sys = system.clone();
        let wanted = self.read(move |s| s.pending_reads(&sys)).await?;
        if wanted.is_empty() {
            return Ok(0);
        }
        let reads: Vec<_> = stream::iter(wanted)
            .map(|(id, hints)| {
                let client = client.clone();
                async move {
                    let read = client.read_task(&id).await;
                    (id, hints, read)
                }
            })
            .buffer_unordered(PARALLEL)
            .collect()
            .await;
        let (mut tasks, mut answered, mut failure) = (Vec::<Task>::new(), Vec::new(), None);
        for (id, hints, read) in reads {
            match read {
                Ok(t) => {
                    tasks.push(t);
                    answered.push((id, hints));
                }
                // Gone from Canvas, or never there: nothing to learn.
                Err(e) if e.is_not_found() => answered.push((id, hints)),
                Err(e) => failure = failure.or(Some(e)),
            }
        }
        let read = tasks.len();
        self.ingest_read(tasks, Source::Poll).await?;
        self.write(move |s| {
            answered
                .iter()
                .try_for_each(|(id, hints)| s.clear_pending_read(&system, id, *hints))
        })
        .await?;
        match failure {
            Some(e) => Err(e.into()),
            None => Ok(read),
        }
    }

    /// Ingests tasks as read from Canvas.
    pub(crate) async fn ingest_read(
        &self,
        tasks: Vec<Task>,
        source: Source,
    ) -> Result<Vec<crate::Ingested>, EngineError> {
        let Some(first) = tasks.first() else {
            return Ok(Vec::new());
        };
        let system = first.system.clone();
        let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
        let known = self.read(move |s| s.statuses(&system, &ids)).await?;
        let events = tasks
            .iter()
            .map(|t| TaskEvent::from_read(t, known.get(&t.id).copied(), source))
            .collect();
        self.ingest_all(events).await
    }

    /// Resolves when a hint has queued a read.
    pub async fn hinted(&self) {
        self.shared.hints.notified().await
    }
}

//! Keeps the runtime's background tasks (the poller, the outbox, the plugin channel) alive for
//! as long as the runtime runs. Each is meant to loop until told to stop; one that panics or
//! returns early would otherwise leave Taskbell quietly deaf, with a tray that still says
//! "live". The supervisor logs it, starts the task again after a backoff, and records an
//! [`Incident`] that the status line turns into a few words, so the user hears of it too.
//!
//! Nothing is restarted once the runtime's stop signal is up (or its sender is gone).

use crate::backoff::Backoff;
use crate::time_util::now_millis;
use futures_util::FutureExt;
use serde::Serialize;
use std::any::Any;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// From 1 s, doubling per failure in a row, up to a minute: a task that keeps failing is
/// retried without burning a core, and a one-off failure is mended at once.
pub const RESTART_BACKOFF: Backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));

/// How a supervised task ended when it should not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    Panicked,
    Returned,
}

/// A task that ended on its own and was restarted; one per task, updated at each restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Incident {
    /// The task as people say it: "the poller".
    pub task: &'static str,
    /// How it ended the last time.
    pub ending: Ending,
    /// How many times it has been restarted.
    pub restarts: u32,
    /// When it was last restarted (Unix ms), for display.
    pub at_ms: i64,
}

impl fmt::Display for Incident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let how = match self.ending {
            Ending::Panicked => "failed",
            Ending::Returned => "stopped unexpectedly",
        };
        write!(f, "{} {how} and was restarted", self.task)?;
        if self.restarts > 1 {
            write!(f, " ({} times)", self.restarts)?;
        }
        Ok(())
    }
}

/// Starts tasks that are restarted when they end before `stop` says so.
pub struct Supervisor {
    stop: watch::Receiver<bool>,
    backoff: Backoff,
    incidents: watch::Sender<Vec<Incident>>,
}

impl Supervisor {
    /// A supervisor that stops restarting once `stop` turns true or its sender is dropped.
    pub fn new(stop: watch::Receiver<bool>, backoff: Backoff) -> Supervisor {
        Supervisor {
            stop,
            backoff,
            incidents: watch::channel(Vec::new()).0,
        }
    }

    /// Every incident so far, one per task, in the order the tasks first failed.
    pub fn incidents(&self) -> watch::Receiver<Vec<Incident>> {
        self.incidents.subscribe()
    }

    /// Runs `make()`'s future on its own task, and again after each early end. `task` names it
    /// for the log and the status line ("the poller").
    pub fn spawn<F, Fut>(&self, task: &'static str, make: F) -> JoinHandle<()>
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let watcher = Watcher {
            task,
            stop: self.stop.clone(),
            backoff: self.backoff,
            incidents: self.incidents.clone(),
        };
        tokio::spawn(watcher.run(make))
    }
}

struct Watcher {
    task: &'static str,
    stop: watch::Receiver<bool>,
    backoff: Backoff,
    incidents: watch::Sender<Vec<Incident>>,
}

impl Watcher {
    async fn run<F, Fut>(mut self, mut make: F)
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = ()>,
    {
        let task = self.task;
        let (mut restarts, mut in_a_row) = (0u32, 0u32);
        loop {
            let started = Instant::now();
            let ending = match AssertUnwindSafe(make()).catch_unwind().await {
                Ok(()) => Ending::Returned,
                Err(payload) => {
                    // A panic message may quote data (a task, a patient): not above debug.
                    tracing::debug!(task, "panic: {}", panic_text(payload.as_ref()));
                    Ending::Panicked
                }
            };
            if self.stopping() {
                return;
            }
            // A task that ran a good while was healthy: its failures in a row start over.
            if started.elapsed() >= self.backoff.cap {
                in_a_row = 0;
            }
            let wait = self.backoff.delay(in_a_row);
            tracing::warn!(
                task,
                ?ending,
                restarts,
                "{task} ended while Taskbell runs; restarting in {wait:?}"
            );
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.stop.wait_for(|stopping| *stopping) => return,
            }
            if self.stopping() {
                return;
            }
            restarts = restarts.saturating_add(1);
            in_a_row = in_a_row.saturating_add(1);
            self.record(Incident {
                task,
                ending,
                restarts,
                at_ms: now_millis(),
            });
        }
    }

    fn stopping(&self) -> bool {
        *self.stop.borrow() || self.stop.has_changed().is_err()
    }

    fn record(&self, incident: Incident) {
        self.incidents.send_modify(|list| {
            match list.iter_mut().find(|i| i.task == incident.task) {
                Some(known) => *known = incident,
                None => list.push(incident),
            }
        });
    }
}

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incidents_read_as_a_few_words() {
        let mut i = Incident {
            task: "the poller",
            ending: Ending::Returned,
            restarts: 1,
            at_ms: 0,
        };
        assert_eq!(
            i.to_string(),
            "the poller stopped unexpectedly and was restarted"
        );
        i.ending = Ending::Panicked;
        i.restarts = 3;
        assert_eq!(
            i.to_string(),
            "the poller failed and was restarted (3 times)"
        );
    }
}

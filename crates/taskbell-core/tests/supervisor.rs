//! The supervisor that keeps the runtime's loops alive: a task that panics or returns is
//! restarted and reported; one that ends because the runtime stops is left alone, and nothing
//! is restarted after shutdown.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use taskbell_core::backoff::Backoff;
use taskbell_core::status::incident_words;
use taskbell_core::supervisor::{Ending, Incident, Supervisor};
use tokio::sync::watch;

const QUICK: Backoff = Backoff::new(Duration::from_millis(10), Duration::from_millis(40));
const PATIENCE: Duration = Duration::from_secs(20);

/// A loop as the runtime's are: it runs until `stop` turns true.
async fn run_until_stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

async fn wait_for_incidents(
    incidents: &mut watch::Receiver<Vec<Incident>>,
    f: impl FnMut(&Vec<Incident>) -> bool,
) -> Vec<Incident> {
    tokio::time::timeout(PATIENCE, incidents.wait_for(f))
        .await
        .expect("in time")
        .expect("supervisor alive")
        .clone()
}

#[tokio::test]
async fn a_task_that_panics_the_first_time_is_restarted_once_and_reported() {
    let (stop, stop_rx) = watch::channel(false);
    let supervisor = Supervisor::new(stop_rx.clone(), QUICK);
    let mut incidents = supervisor.incidents();
    let starts = Arc::new(AtomicU32::new(0));
    let counted = starts.clone();
    let handle = supervisor.spawn("the poller", move || {
        let first = counted.fetch_add(1, Ordering::SeqCst) == 0;
        let stop = stop_rx.clone();
        async move {
            if first {
                panic!("the first run fails");
            }
            run_until_stopped(stop).await;
        }
    });

    let seen = wait_for_incidents(&mut incidents, |list| !list.is_empty()).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].task, seen[0].ending, seen[0].restarts),
        ("the poller", Ending::Panicked, 1)
    );
    assert_eq!(
        incident_words(&seen).as_deref(),
        Some("the poller failed and was restarted")
    );

    stop.send_replace(true);
    tokio::time::timeout(PATIENCE, handle)
        .await
        .expect("ends on stop")
        .expect("no panic escapes");
    assert_eq!(
        starts.load(Ordering::SeqCst),
        2,
        "started, then restarted once"
    );
    assert_eq!(incidents.borrow().len(), 1);
}

#[tokio::test]
async fn a_task_that_returns_is_restarted_until_shutdown_and_not_after() {
    let (stop, stop_rx) = watch::channel(false);
    let supervisor = Supervisor::new(stop_rx, QUICK);
    let mut incidents = supervisor.incidents();
    let starts = Arc::new(AtomicU32::new(0));
    let counted = starts.clone();
    let handle = supervisor.spawn("the outbox", move || {
        counted.fetch_add(1, Ordering::SeqCst);
        async {}
    });

    let seen = wait_for_incidents(&mut incidents, |list| {
        list.first().is_some_and(|i| i.restarts >= 3)
    })
    .await;
    assert_eq!(seen[0].ending, Ending::Returned);
    assert!(
        seen[0]
            .to_string()
            .starts_with("the outbox stopped unexpectedly and was restarted ("),
        "{}",
        seen[0]
    );

    stop.send_replace(true);
    tokio::time::timeout(PATIENCE, handle)
        .await
        .expect("ends on stop")
        .expect("no panic escapes");
    let after_shutdown = starts.load(Ordering::SeqCst);
    // Several backoff periods: a restart would have happened by now.
    tokio::time::sleep(QUICK.cap * 5).await;
    assert_eq!(
        starts.load(Ordering::SeqCst),
        after_shutdown,
        "restarted after shutdown"
    );
}

#[tokio::test]
async fn a_task_that_ends_because_the_runtime_stops_is_not_an_incident() {
    let (stop, stop_rx) = watch::channel(false);
    let supervisor = Supervisor::new(stop_rx.clone(), QUICK);
    let incidents = supervisor.incidents();
    let starts = Arc::new(AtomicU32::new(0));
    let counted = starts.clone();
    let handle = supervisor.spawn("the plugin channel", move || {
        counted.fetch_add(1, Ordering::SeqCst);
        run_until_stopped(stop_rx.clone())
    });
    tokio::task::yield_now().await;
    stop.send_replace(true);
    tokio::time::timeout(PATIENCE, handle)
        .await
        .expect("ends on stop")
        .expect("no panic escapes");
    assert_eq!(starts.load(Ordering::SeqCst), 1);
    assert!(incidents.borrow().is_empty());
}

#[tokio::test]
async fn dropping_the_stop_sender_counts_as_stopping() {
    let (stop, stop_rx) = watch::channel(false);
    let supervisor = Supervisor::new(
        stop_rx.clone(),
        Backoff::new(Duration::from_secs(3600), Duration::from_secs(3600)),
    );
    let incidents = supervisor.incidents();
    let handle = supervisor.spawn("the poller", move || run_until_stopped(stop_rx.clone()));
    drop(stop);
    tokio::time::timeout(PATIENCE, handle)
        .await
        .expect("ends without waiting out the backoff")
        .expect("no panic");
    assert!(incidents.borrow().is_empty());
}

//! Waiting for a condition instead of sleeping for a guess: the tests run on loaded two-core
//! machines where a window may take many seconds to appear, so every wait polls with a generous
//! deadline and, on timeout, says what it was waiting for and what it last saw.

use anyhow::{bail, Result};
use std::future::Future;
use std::time::{Duration, Instant};

/// The deadline for anything the app should do "soon".
pub const PATIENCE: Duration = Duration::from_secs(60);

const POLL: Duration = Duration::from_millis(250);

/// What one look found: done with a value, or not yet (with what was seen, for the timeout
/// message).
pub enum Look<T> {
    Done(T),
    NotYet(String),
}

/// Polls `look` until it is done or `timeout` passes. An error from `look` counts as "not yet"
/// (the page may be mid-render), and the last one is reported on timeout.
pub async fn until<T, F, Fut>(what: &str, timeout: Duration, mut look: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Look<T>>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        let last = match look().await {
            Ok(Look::Done(v)) => return Ok(v),
            Ok(Look::NotYet(seen)) => seen,
            Err(e) => format!("error: {e:#}"),
        };
        if Instant::now() >= deadline {
            bail!("timed out after {timeout:?} waiting for {what}; last seen: {last}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// `until` for checks that do not await.
pub fn until_sync<T>(
    what: &str,
    timeout: Duration,
    mut look: impl FnMut() -> Result<Look<T>>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        let last = match look() {
            Ok(Look::Done(v)) => return Ok(v),
            Ok(Look::NotYet(seen)) => seen,
            Err(e) => format!("error: {e:#}"),
        };
        if Instant::now() >= deadline {
            bail!("timed out after {timeout:?} waiting for {what}; last seen: {last}");
        }
        std::thread::sleep(POLL);
    }
}

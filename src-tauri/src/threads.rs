//! Which threads may wait. The GTK main thread runs the window and the tray, and a tokio worker
//! runs every task queued behind the one it is on: a D-Bus round trip (the keychain, a desktop
//! notification) on either freezes part of the app for as long as the other end takes. Such
//! calls run on tokio's blocking pool or a thread of their own, and debug builds check that with
//! `debug_assert_may_block`.

use std::cell::Cell;

thread_local! {
    static WORKER: Cell<bool> = const { Cell::new(false) };
}

/// The app's async runtime, made as Tauri makes its own, except that each worker marks itself
/// when it first goes idle: workers and the blocking pool's threads share one name, and tokio
/// offers no other way to tell them apart. (The blocking pool never parks this way.)
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(|| WORKER.with(|w| w.set(true)))
        .build()
}

/// False on the process's main thread, where GTK runs, and on a worker of `runtime` that has
/// been idle once (every worker is, moments after start).
pub fn may_block() -> bool {
    std::thread::current().name() != Some("main") && !WORKER.with(Cell::get)
}

/// In debug builds, panics when `what` is about to wait on a thread that must not.
#[track_caller]
pub fn debug_assert_may_block(what: &str) {
    debug_assert!(
        may_block(),
        "{what} on thread {:?}, which must not wait on D-Bus",
        std::thread::current().name()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_main_thread_and_workers_may_not_block_the_blocking_pool_may() {
        let rt = runtime().expect("a runtime");
        let on_worker = rt.block_on(async {
            let task = tokio::spawn(async {
                // A timer leaves every worker idle, so whichever resumes this has marked itself.
                tokio::time::sleep(Duration::from_millis(1)).await;
                may_block()
            });
            task.await.expect("ran")
        });
        assert!(!on_worker, "a tokio worker");
        assert!(
            rt.block_on(rt.spawn_blocking(may_block)).expect("ran"),
            "the blocking pool"
        );
        let named = |name: &str| {
            std::thread::Builder::new()
                .name(name.into())
                .spawn(may_block)
                .expect("spawns")
                .join()
                .expect("ran")
        };
        assert!(!named("main"), "the main thread");
        assert!(named("taskbell-notify"), "a thread of its own");
    }
}

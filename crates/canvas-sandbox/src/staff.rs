//! Simulated staff: someone at the clinic gets to each open task a while after it was created
//! and completes it (or, one time in five, closes it), as they would in the Canvas UI. That
//! gives the demo mode and the tests changes that do not come from the client itself.

use std::time::Duration;

use rand::Rng;

use crate::state::AppState;
use crate::store::Status;

pub(crate) fn schedule(state: AppState, task_id: String, delay: Duration) {
    let mut shutdown = state.shutdown_signal();
    // "About" the delay: up to a tenth later, so a batch of tasks does not finish in lockstep.
    let jitter = delay.mul_f64(rand::thread_rng().gen_range(0.0..0.1));
    tokio::spawn(async move {
        tokio::select! {
            _ = tokio::time::sleep(delay + jitter) => {}
            _ = shutdown.changed() => return,
        }
        let (status, actor) = {
            let mut rng = rand::thread_rng();
            let status = if rng.gen_range(0..5) == 0 {
                Status::Cancelled
            } else {
                Status::Completed
            };
            let staff = &state.directory().staff;
            let actor = match staff.len() {
                0 => None,
                n => staff.get(rng.gen_range(0..n)).map(|p| p.id.clone()),
            };
            (status, actor)
        };
        // The assignee, when there is one, is who gets to it.
        let actor = state
            .task_snapshot(&task_id)
            .and_then(|t| t.owner)
            .or(actor);
        state.set_status_as_staff(&task_id, status, actor, true);
    });
}

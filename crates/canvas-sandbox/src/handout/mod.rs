//! Simulated staff who hand work to the sandbox's user, so a demo shows incoming work that the
//! user did not create: every `pace` (a knob, off by default) one step of a fixed rotation runs
//! — a task assigned to the user, a task for the user's team, a comment on the user's work, a
//! reassignment to or from the user. A step with nothing to act on gives its turn to the next.

mod steps;
mod wording;

use std::time::Duration;

use rand::Rng;
use tokio::task::JoinHandle;

use crate::state::AppState;

pub(crate) use steps::ReassignTurn;

/// One step of the handout rotation, in rotation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handout {
    /// A new open task owned by the user, requested by a colleague, due in 61 minutes.
    AssignToUser,
    /// A new open task for the user's team, owned by nobody, due in a day.
    ToTeam,
    /// One comment by a colleague on an open task the user owns or requested, or their team's.
    Comment,
    /// An open task moves from a colleague to the user or from the user to a colleague,
    /// alternately.
    Reassign,
}

impl Handout {
    fn after(self) -> Handout {
        match self {
            Handout::AssignToUser => Handout::ToTeam,
            Handout::ToTeam => Handout::Comment,
            Handout::Comment => Handout::Reassign,
            Handout::Reassign => Handout::AssignToUser,
        }
    }
}

/// Runs `step` now; the id of the task it created or changed.
pub(crate) fn hand_out(state: &AppState, step: Handout) -> Option<String> {
    steps::run(state, step)
}

/// Runs the first step from `next` that finds something to do; the step to start from at the
/// following turn.
fn take_turn(state: &AppState, next: Handout) -> Handout {
    let mut step = next;
    for _ in 0..4 {
        if steps::run(state, step).is_some() {
            return step.after();
        }
        step = step.after();
    }
    next
}

/// "About" the pace: up to a tenth longer, so the handout does not tick like a metronome.
fn jittered(pace: Duration) -> Duration {
    pace + pace.mul_f64(rand::thread_rng().gen_range(0.0..0.1))
}

async fn sleep_or_forever(wait: Option<Duration>) {
    match wait {
        Some(wait) => tokio::time::sleep(wait).await,
        None => std::future::pending().await,
    }
}

/// The handout loop. It sleeps a pace between turns and, while the pace is off, until the
/// knob changes; a change restarts the wait at the new pace. Ends with the sandbox.
pub(crate) fn spawn(state: AppState) -> JoinHandle<()> {
    let mut pace = state.knobs().handout_changes();
    let mut shutdown = state.shutdown_signal();
    tokio::spawn(async move {
        let mut next = Handout::AssignToUser;
        loop {
            let current = *pace.borrow_and_update();
            let wait = current.filter(|p| !p.is_zero()).map(jittered);
            tokio::select! {
                _ = shutdown.changed() => return,
                changed = pace.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                () = sleep_or_forever(wait) => next = take_turn(&state, next),
            }
        }
    })
}

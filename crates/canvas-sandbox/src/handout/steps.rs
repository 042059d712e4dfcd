//! The four handout steps: who hands what to whom, picked at random from the clinic and the
//! open tasks. Each is one change through the paths the API and the Canvas UI use, so it moves
//! `lastModified` and is pushed like any other.

use std::sync::atomic::{AtomicBool, Ordering};

use rand::seq::SliceRandom;

use super::{wording, Handout};
use crate::clinic::Directory;
use crate::clock;
use crate::state::AppState;
use crate::store::{Status, TaskRecord};
use crate::tasks::TaskInput;

/// Which way the next reassignment tries first: they alternate, so the user both receives
/// work and sees work leave.
#[derive(Debug, Default)]
pub(crate) struct ReassignTurn {
    away_next: AtomicBool,
}

/// The user, the user's team, and the active staff who are not the user.
struct Cast<'a> {
    user: &'a str,
    team: Option<&'a str>,
    colleagues: Vec<&'a str>,
}

impl<'a> Cast<'a> {
    fn of(dir: &'a Directory) -> Option<Self> {
        let user = dir.user()?;
        let colleagues = dir
            .staff
            .iter()
            .filter(|p| p.active && p.id != user.id)
            .map(|p| p.id.as_str())
            .collect();
        Some(Cast {
            user: &user.id,
            team: dir.user_team().map(|t| t.id.as_str()),
            colleagues,
        })
    }

    fn any_colleague(&self) -> Option<&'a str> {
        self.colleagues.choose(&mut rand::thread_rng()).copied()
    }

    fn concerns_user(&self, task: &TaskRecord) -> bool {
        task.owner.as_deref() == Some(self.user)
            || task.requester == self.user
            || (self.team.is_some() && task.group.as_deref() == self.team)
    }

    /// Who would comment on the user's task: the colleague on its other end when there is
    /// one, else anyone.
    fn commenter(&self, task: &TaskRecord) -> Option<String> {
        let on_task = [Some(task.requester.as_str()), task.owner.as_deref()];
        on_task
            .into_iter()
            .flatten()
            .find(|id| self.colleagues.contains(id))
            .or_else(|| self.any_colleague())
            .map(str::to_owned)
    }
}

pub(super) fn run(state: &AppState, step: Handout) -> Option<String> {
    let cast = Cast::of(state.directory())?;
    let task = match step {
        Handout::AssignToUser => assign_to_user(state, &cast),
        Handout::ToTeam => to_team(state, &cast),
        Handout::Comment => comment(state, &cast),
        Handout::Reassign => reassign(state, &cast),
    }?;
    tracing::debug!(task = %task.id, ?step, "handed out");
    Some(task.id)
}

struct NewTask<'a> {
    title: (&'a str, &'a str),
    owner: Option<&'a str>,
    group: Option<&'a str>,
    due_in: time::Duration,
}

/// Created as in the Canvas UI: requested by a colleague, about one of the active patients.
fn create(state: &AppState, cast: &Cast<'_>, new: NewTask<'_>) -> Option<TaskRecord> {
    let requester = cast.any_colleague()?;
    let patients: Vec<&str> = state
        .directory()
        .patients
        .iter()
        .filter(|p| p.active)
        .map(|p| p.id.as_str())
        .collect();
    let patient = patients.choose(&mut rand::thread_rng()).copied();
    let (description, label) = new.title;
    let input = TaskInput {
        status: Status::Requested,
        description: Some(description.to_owned()),
        requester: Some(requester.to_owned()),
        patient: patient.map(str::to_owned),
        owner: new.owner.map(str::to_owned),
        group: new.group.map(str::to_owned),
        authored_on: None,
        due: Some(clock::whole_second(state.now() + new.due_in)),
        notes: Vec::new(),
        labels: vec![label.to_owned()],
    };
    match state.create_task_as_staff(input) {
        Ok(task) => Some(task),
        Err(outcome) => {
            // Every reference comes from the clinic, so this is the sandbox's own bug.
            tracing::warn!(refused = %outcome.body(), "handout could not create a task");
            None
        }
    }
}

/// Due in 61 minutes: a client's usual hour-ahead reminder rings a minute after the task
/// arrives, so a demo shows the assignment and then its reminder, each on its own.
fn assign_to_user(state: &AppState, cast: &Cast<'_>) -> Option<TaskRecord> {
    let new = NewTask {
        title: wording::for_user()?,
        owner: Some(cast.user),
        group: None,
        due_in: time::Duration::minutes(61),
    };
    create(state, cast, new)
}

fn to_team(state: &AppState, cast: &Cast<'_>) -> Option<TaskRecord> {
    let new = NewTask {
        title: wording::for_team()?,
        owner: None,
        group: Some(cast.team?),
        due_in: time::Duration::days(1),
    };
    create(state, cast, new)
}

/// A random open task that `keep` accepts, read under one lock.
fn pick_open(state: &AppState, keep: impl Fn(&TaskRecord) -> bool) -> Option<TaskRecord> {
    let store = state.store();
    let open: Vec<&TaskRecord> = store
        .iter()
        .filter(|t| t.status == Status::Requested && keep(t))
        .collect();
    open.choose(&mut rand::thread_rng()).map(|t| (*t).clone())
}

fn comment(state: &AppState, cast: &Cast<'_>) -> Option<TaskRecord> {
    let task = pick_open(state, |t| cast.concerns_user(t))?;
    let author = cast.commenter(&task)?;
    state.comment_as_staff(&task.id, wording::comment()?, &author)
}

/// A colleague hands one of their open tasks to the user.
fn to_user(state: &AppState, cast: &Cast<'_>) -> Option<TaskRecord> {
    let task = pick_open(state, |t| {
        t.owner.as_deref().is_some_and(|o| o != cast.user)
    })?;
    let from = task.owner.as_deref()?;
    state.reassign_as_staff(&task.id, cast.user, from)
}

/// A colleague takes one of the user's open tasks.
fn away_from_user(state: &AppState, cast: &Cast<'_>) -> Option<TaskRecord> {
    let task = pick_open(state, |t| t.owner.as_deref() == Some(cast.user))?;
    let to = cast.any_colleague()?;
    state.reassign_as_staff(&task.id, to, to)
}

/// The way it is this turn first, the other way when that finds nothing; the next turn then
/// prefers the way not taken.
fn reassign(state: &AppState, cast: &Cast<'_>) -> Option<TaskRecord> {
    let turn = &state.reassign_turn().away_next;
    let (task, went_away) = if turn.load(Ordering::SeqCst) {
        away_from_user(state, cast)
            .map(|t| (t, true))
            .or_else(|| to_user(state, cast).map(|t| (t, false)))
    } else {
        to_user(state, cast)
            .map(|t| (t, false))
            .or_else(|| away_from_user(state, cast).map(|t| (t, true)))
    }?;
    turn.store(!went_away, Ordering::SeqCst);
    Some(task)
}

//! Creating and replacing tasks, whoever asks (the FHIR API, the simulated staff, a test): the
//! Canvas rules for create and full-replace update, and which pushes each causes. Single
//! changes made in the Canvas UI are in `staff_changes`.

use time::OffsetDateTime;

use crate::clinic::Directory;
use crate::clock;
use crate::outcome::Outcome;
use crate::relay::{Change, EventKind};
use crate::staff;
use crate::state::AppState;
use crate::store::{Note, Status, TaskRecord};

/// A Task body after its shape was checked; references are checked against the clinic later.
#[derive(Debug, Clone)]
pub(crate) struct TaskInput {
    pub status: Status,
    pub description: Option<String>,
    pub requester: Option<String>,
    pub patient: Option<String>,
    pub owner: Option<String>,
    /// None: the body had no task-group extension, which an update keeps as it was.
    pub group: Option<String>,
    pub authored_on: Option<OffsetDateTime>,
    pub due: Option<OffsetDateTime>,
    pub notes: Vec<NoteInput>,
    pub labels: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct NoteInput {
    pub text: String,
    pub time: Option<OffsetDateTime>,
    pub author: String,
}

fn check_references(input: &TaskInput, dir: &Directory) -> Result<(), Outcome> {
    let staff = |what: &str, id: &Option<String>| match id {
        Some(id) if dir.staff(id).is_none() => Err(Outcome::business_rule(format!(
            "{what} Practitioner/{id} does not exist."
        ))),
        _ => Ok(()),
    };
    staff("requester", &input.requester)?;
    staff("owner", &input.owner)?;
    for note in &input.notes {
        staff("note authorReference", &Some(note.author.clone()))?;
    }
    if let Some(id) = &input.patient {
        if dir.patient(id).is_none() {
            return Err(Outcome::business_rule(format!(
                "for: Patient/{id} does not exist."
            )));
        }
    }
    if let Some(id) = &input.group {
        if dir.team(id).is_none() {
            return Err(Outcome::business_rule(format!(
                "task-group: Group/{id} does not exist or is not a team."
            )));
        }
    }
    Ok(())
}

fn make_notes(inputs: Vec<NoteInput>, now: OffsetDateTime) -> Vec<Note> {
    inputs
        .into_iter()
        .map(|n| Note {
            id: uuid::Uuid::new_v4().to_string(),
            text: n.text,
            time: n.time.unwrap_or(now),
            author: n.author,
        })
        .collect()
}

fn dedup_labels(labels: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(labels.len());
    for label in labels {
        if !out.contains(&label) {
            out.push(label);
        }
    }
    out
}

/// The push a status change causes; reopening counts as an update.
pub(crate) fn status_event(status: Status) -> EventKind {
    match status {
        Status::Completed => EventKind::Completed,
        Status::Cancelled => EventKind::Closed,
        Status::Requested => EventKind::Updated,
    }
}

impl AppState {
    /// POST /Task: a client's task, which the simulated staff then finish when they are on
    /// (see [`crate::SandboxConfig::staff_delay`]).
    pub fn create_task(&self, input: TaskInput) -> Result<TaskRecord, Outcome> {
        let task = self.create_task_as_staff(input)?;
        if task.status == Status::Requested {
            if let Some(delay) = self.knobs().staff_delay() {
                staff::schedule(self.clone(), task.id.clone(), delay);
            }
        }
        Ok(task)
    }

    /// A task created in the Canvas UI, with the API's checks and push: `created`, only for
    /// tasks created open, as Canvas fires TASK_CREATED only for those. The simulated staff
    /// do not finish it: they only answer work handed to them through the API.
    pub fn create_task_as_staff(&self, input: TaskInput) -> Result<TaskRecord, Outcome> {
        if input
            .description
            .as_deref()
            .map(str::trim)
            .unwrap_or_default()
            .is_empty()
        {
            return Err(Outcome::invalid("Task.description is required."));
        }
        let Some(requester) = input.requester.clone() else {
            return Err(Outcome::invalid("Task.requester is required."));
        };
        check_references(&input, self.directory())?;
        let now = self.now();
        let task = {
            let mut store = self.store();
            let task = TaskRecord {
                id: uuid::Uuid::new_v4().to_string(),
                seq: store.next_seq(),
                status: input.status,
                description: input.description,
                requester: requester.clone(),
                patient: input.patient,
                owner: input.owner,
                group: input.group,
                authored_on: input.authored_on.unwrap_or(clock::whole_second(now)),
                due: input.due,
                notes: make_notes(input.notes, now),
                labels: dedup_labels(input.labels),
                modified: now,
                version: 1,
            };
            if task.status == Status::Requested {
                let change = Change {
                    kind: EventKind::Created,
                    actor: Some(requester),
                    comment_id: None,
                };
                self.emit(&task, &[change]);
            }
            store.insert(task.clone());
            task
        };
        Ok(task)
    }

    /// PUT /Task/<id>: a full replace with Canvas's exceptions (the task-group extension and
    /// `authoredOn` are kept when omitted; notes are appended). `requester` is required, as
    /// task.md marks it `required_in: update`. The docs do not say what omitting `for` does;
    /// it is deleted here, the less forgiving reading, so a client that drops it finds out.
    /// `unmodified_since` is the `If-Unmodified-Since` header in unix seconds.
    pub fn update_task(
        &self,
        id: &str,
        input: TaskInput,
        unmodified_since: Option<i64>,
    ) -> Result<TaskRecord, Outcome> {
        let Some(requester) = input.requester.clone() else {
            return Err(Outcome::invalid("Task.requester is required."));
        };
        check_references(&input, self.directory())?;
        let skip_completed = self.knobs().skip_completed_push();
        let mut store = self.store();
        let Some(task) = store.get_mut(id) else {
            return Err(Outcome::not_found(format!("Task/{id} not found.")));
        };
        if let Some(since) = unmodified_since {
            check_unmodified_since(task, since)?;
        }
        let before = task.clone();
        task.status = input.status;
        task.description = input.description;
        task.owner = input.owner;
        task.due = input.due;
        task.labels = dedup_labels(input.labels);
        task.requester = requester;
        task.patient = input.patient;
        if let Some(group) = input.group {
            task.group = Some(group);
        }
        if let Some(authored_on) = input.authored_on {
            task.authored_on = authored_on;
        }
        let now = self.now();
        let new_notes = make_notes(input.notes, now);
        task.notes.extend(new_notes.iter().cloned());

        let status_changed = task.status != before.status;
        let other_changed = fields_differ(&before, task);
        let mut changes = Vec::new();
        if status_changed {
            let kind = status_event(task.status);
            if !(kind == EventKind::Completed && skip_completed) {
                changes.push(Change {
                    kind,
                    actor: None,
                    comment_id: None,
                });
            }
        } else if other_changed {
            changes.push(Change {
                kind: EventKind::Updated,
                actor: None,
                comment_id: None,
            });
        }
        for note in &new_notes {
            changes.push(Change {
                kind: EventKind::Commented,
                actor: Some(note.author.clone()),
                comment_id: Some(note.id.clone()),
            });
        }
        if status_changed || other_changed || !new_notes.is_empty() {
            task.touch(now);
            let task = task.clone();
            self.emit(&task, &changes);
            Ok(task)
        } else {
            Ok(task.clone())
        }
    }

    /// Bulk seeding for tests and benchmarks: no pushes, no simulated staff.
    pub fn insert_seed_tasks(&self, n: usize, status: Status) -> Vec<String> {
        let dir = self.directory();
        let requester = dir.clinic().requester;
        let mut store = self.store();
        let mut ids = Vec::with_capacity(n);
        for k in 0..n {
            let now = self.now();
            let seq = store.next_seq();
            let patient = match dir.patients.len() {
                0 => None,
                len => dir.patients.get(k % len).map(|p| p.id.clone()),
            };
            let task = TaskRecord {
                id: uuid::Uuid::new_v4().to_string(),
                seq,
                status,
                description: Some(format!("Seeded task {seq}")),
                requester: requester.clone(),
                patient,
                owner: None,
                group: None,
                authored_on: clock::whole_second(now),
                due: None,
                notes: vec![],
                labels: vec![],
                modified: now,
                version: 1,
            };
            ids.push(task.id.clone());
            store.insert(task);
        }
        ids
    }
}

/// Whether anything but status and notes changed.
fn fields_differ(a: &TaskRecord, b: &TaskRecord) -> bool {
    a.description != b.description
        || a.requester != b.requester
        || a.patient != b.patient
        || a.owner != b.owner
        || a.group != b.group
        || a.authored_on != b.authored_on
        || a.due != b.due
        || a.labels != b.labels
}

/// `If-Unmodified-Since` (unix seconds) against a task, at the microsecond precision of its
/// `modified`: 412 when the task changed after that instant. An HTTP date has whole seconds, so
/// a change within the same second as the date a client sends passes unseen; Canvas's docs say
/// nothing finer, and a real server comparing its stored time can do no better. A client closes
/// that window itself, by reading again once Canvas's `Date` has left that second.
pub(crate) fn check_unmodified_since(task: &TaskRecord, since: i64) -> Result<(), Outcome> {
    let since = OffsetDateTime::from_unix_timestamp(since)
        .map_err(|_| Outcome::invalid("If-Unmodified-Since is out of range."))?;
    if task.modified > since {
        return Err(Outcome::conflict(
            "Resource updated since If-Unmodified-Since date",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(modified: &str) -> TaskRecord {
        let t = OffsetDateTime::parse(modified, &time::format_description::well_known::Rfc3339)
            .expect("a time");
        TaskRecord {
            id: "t".into(),
            seq: 1,
            status: Status::Requested,
            description: None,
            requester: "r".into(),
            patient: None,
            owner: None,
            group: None,
            authored_on: t,
            due: None,
            notes: vec![],
            labels: vec![],
            modified: t,
            version: 1,
        }
    }

    #[test]
    fn the_precondition_compares_microseconds_with_the_whole_second() {
        let noon = 1_700_000_000; // 2023-11-14T22:13:20Z
        assert!(check_unmodified_since(&at("2023-11-14T22:13:19.999999+00:00"), noon).is_ok());
        assert!(check_unmodified_since(&at("2023-11-14T22:13:20+00:00"), noon).is_ok());
        assert!(check_unmodified_since(&at("2023-11-14T22:13:20.000001+00:00"), noon).is_err());
    }
}

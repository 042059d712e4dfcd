//! Single changes staff make to a task in the Canvas UI (by a test, the simulated staff or the
//! handout): status, label, owner, comment. Each goes through `edit_as_staff`, so each moves
//! `lastModified` and is pushed the way the plugin would push it.

use time::OffsetDateTime;

use crate::relay::{Change, EventKind};
use crate::state::AppState;
use crate::store::{Note, Status, TaskRecord};
use crate::tasks::status_event;

impl AppState {
    /// Runs `edit` under the store lock with the sandbox clock's `now`; when it returns a
    /// change, the task is stamped and that change pushed before the lock is released, so
    /// pushes leave in the order changes were made. None when the task does not exist or
    /// `edit` changed nothing.
    fn edit_as_staff(
        &self,
        id: &str,
        edit: impl FnOnce(&mut TaskRecord, OffsetDateTime) -> Option<Change>,
    ) -> Option<TaskRecord> {
        let mut store = self.store();
        let task = store.get_mut(id)?;
        let now = self.now();
        let change = edit(task, now)?;
        task.touch(now);
        let task = task.clone();
        self.emit(&task, &[change]);
        Some(task)
    }

    /// Not subject to `skip_completed_push`: the platform gap concerns API changes only.
    /// With `only_if_open`, a task someone already finished is left alone (the simulated
    /// staff must not overwrite a completion that raced it). False only when the task does
    /// not exist.
    pub fn set_status_as_staff(
        &self,
        id: &str,
        status: Status,
        actor: Option<String>,
        only_if_open: bool,
    ) -> bool {
        let mut found = false;
        self.edit_as_staff(id, |task, _| {
            found = true;
            if task.status == status || (only_if_open && task.status != Status::Requested) {
                return None;
            }
            task.status = status;
            let actor = actor
                .or_else(|| task.owner.clone())
                .or_else(|| Some(task.requester.clone()));
            Some(Change {
                kind: status_event(status),
                actor,
                comment_id: None,
            })
        });
        found
    }

    /// An `updated` change by the task's owner (or its requester). False when the task does
    /// not exist.
    pub fn add_label_as_staff(&self, id: &str, label: &str) -> bool {
        self.edit_as_staff(id, |task, _| {
            task.labels.push(label.to_owned());
            let actor = task.owner.clone().or_else(|| Some(task.requester.clone()));
            Some(Change {
                kind: EventKind::Updated,
                actor,
                comment_id: None,
            })
        })
        .is_some()
    }

    /// Gives an open task to `owner`, keeping its team: an `updated` change by `actor`. None
    /// when the task is missing, finished or already theirs.
    pub fn reassign_as_staff(&self, id: &str, owner: &str, actor: &str) -> Option<TaskRecord> {
        self.edit_as_staff(id, |task, _| {
            if task.status != Status::Requested || task.owner.as_deref() == Some(owner) {
                return None;
            }
            task.owner = Some(owner.to_owned());
            Some(Change {
                kind: EventKind::Updated,
                actor: Some(actor.to_owned()),
                comment_id: None,
            })
        })
    }

    /// Adds one note by `author`, stamped now: the `commented` change a PUT with a new note
    /// causes. None when the task does not exist.
    pub fn comment_as_staff(&self, id: &str, text: &str, author: &str) -> Option<TaskRecord> {
        self.edit_as_staff(id, |task, now| {
            let note = Note {
                id: uuid::Uuid::new_v4().to_string(),
                text: text.to_owned(),
                time: now,
                author: author.to_owned(),
            };
            let change = Change {
                kind: EventKind::Commented,
                actor: Some(author.to_owned()),
                comment_id: Some(note.id.clone()),
            };
            task.notes.push(note);
            Some(change)
        })
    }
}

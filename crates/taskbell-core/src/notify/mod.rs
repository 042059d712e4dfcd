//! The Notifier trait and the rules for what a notification says. A notification may be read
//! over someone's shoulder, so it names the patient only when the user turned that on.

#[cfg(feature = "desktop")]
pub mod desktop;
#[cfg(all(test, feature = "desktop"))]
mod fake_daemon;
#[cfg(feature = "desktop")]
mod signals;

use crate::store::TaskRow;
use crate::task::{EventKind, TaskRef, TaskStatus};
use std::sync::Mutex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub task: TaskRef,
    pub summary: String,
    pub body: String,
    pub permalink: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("no notification service is running on this desktop ({0})")]
    Unavailable(String),
    #[error("the notification could not be shown: {0}")]
    Failed(String),
}

/// Shows notifications. Implementations replace a task's previous notification with its new one.
pub trait Notifier: Send + Sync + 'static {
    fn show(&self, n: &Notification) -> Result<(), NotifyError>;
}

/// Writes to the log; for machines with no desktop session. Never logs the body (PHI).
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn show(&self, n: &Notification) -> Result<(), NotifyError> {
        tracing::info!(system = %n.task.system, task = %n.task.id, "{}", n.summary);
        Ok(())
    }
}

/// Keeps what it was asked to show; tests and benchmarks read it back.
#[derive(Default)]
pub struct MemoryNotifier {
    shown: Mutex<Vec<(std::time::Instant, Notification)>>,
}

impl MemoryNotifier {
    pub fn shown(&self) -> Vec<Notification> {
        self.lock().iter().map(|(_, n)| n.clone()).collect()
    }

    pub fn shown_at(&self) -> Vec<(std::time::Instant, Notification)> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(std::time::Instant, Notification)>> {
        self.shown.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Notifier for MemoryNotifier {
    fn show(&self, n: &Notification) -> Result<(), NotifyError> {
        self.lock().push((std::time::Instant::now(), n.clone()));
        Ok(())
    }
}

pub fn summary(kind: EventKind, status: TaskStatus) -> String {
    match (kind, status) {
        (_, TaskStatus::Completed) => "Task completed".into(),
        (_, TaskStatus::Closed) => "Task closed".into(),
        (EventKind::Created, _) => "Task created".into(),
        (EventKind::Reopened, _) => "Task reopened".into(),
        (EventKind::Commented, _) => "New comment on a task".into(),
        (EventKind::Assigned, _) => "Task assigned".into(),
        _ => "Task updated".into(),
    }
}

/// The notification for `row` after `kind`. `by` is the name of who did it, when known; sources
/// name the actor by id only, so without it the body says whose task it was instead.
pub fn compose(
    row: &TaskRow,
    kind: EventKind,
    by: Option<&str>,
    show_patient: bool,
) -> Notification {
    let mut body = if row.description.trim().is_empty() {
        "(no description)".to_string()
    } else {
        row.description.clone()
    };
    let verb = match row.status {
        TaskStatus::Completed => "Completed by",
        TaskStatus::Closed => "Closed by",
        TaskStatus::Open => "Changed by",
    };
    match (
        by,
        row.assignee_name.as_deref().or(row.team_name.as_deref()),
    ) {
        (Some(who), _) => body.push_str(&format!("\n{verb} {who}")),
        (None, Some(owner)) => body.push_str(&format!("\nAssigned to {owner}")),
        (None, None) => {}
    }
    if show_patient {
        if let Some(p) = &row.patient_name {
            body.push_str(&format!("\nPatient: {p}"));
        }
    }
    Notification {
        task: TaskRef::new(row.system.clone(), row.task_id.clone()),
        summary: summary(kind, row.status),
        body,
        permalink: row.permalink.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> TaskRow {
        crate::store::example_row()
    }

    #[test]
    fn patient_names_appear_only_when_asked_for() {
        let quiet = compose(&row(), EventKind::Completed, None, false);
        assert_eq!(quiet.summary, "Task completed");
        assert_eq!(quiet.body, "Fax the referral\nAssigned to Nurse Joy");
        assert!(!quiet.body.contains("Ada"));
        let named = compose(&row(), EventKind::Completed, Some("Dr. Wu"), true);
        assert_eq!(
            named.body,
            "Fax the referral\nCompleted by Dr. Wu\nPatient: Ada Quill"
        );
    }

    #[test]
    fn closed_tasks_say_closed() {
        let mut r = row();
        r.status = TaskStatus::Closed;
        r.assignee_name = None;
        let n = compose(&r, EventKind::Closed, None, false);
        assert_eq!(
            (n.summary.as_str(), n.body.as_str()),
            ("Task closed", "Fax the referral")
        );
    }
}

//! The Notifier trait and the rules for what a notification says. A notification may be read
//! over someone's shoulder, so it names the patient only when the user turned that on.

#[cfg(feature = "desktop")]
pub mod desktop;
#[cfg(all(test, feature = "desktop"))]
pub(crate) mod fake_daemon;
#[cfg(feature = "desktop")]
mod signals;

mod compose;

pub use compose::{compose, compose_personal, compose_reminder};

use crate::task::TaskRef;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::sync::Mutex;
use ts_rs::TS;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Completed,
    Closed,
    Reopened,
    /// Assigned to this user, by someone else.
    Assigned,
    /// Assigned to one of this user's teams.
    Team,
    /// A comment by someone else on a task this user requested or owns.
    Comment,
    DueSoon,
    Overdue,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Completed => "completed",
            NoticeKind::Closed => "closed",
            NoticeKind::Reopened => "reopened",
            NoticeKind::Assigned => "assigned",
            NoticeKind::Team => "team",
            NoticeKind::Comment => "comment",
            NoticeKind::DueSoon => "due_soon",
            NoticeKind::Overdue => "overdue",
        }
    }

    /// The buttons a notification of this kind offers (besides "Open in Canvas", which needs
    /// a link): work that lands on the user can be finished or put off from the notification.
    pub fn actions(self, has_link: bool) -> Vec<NoticeAction> {
        let mut a = match self {
            NoticeKind::DueSoon | NoticeKind::Overdue => {
                vec![NoticeAction::Done, NoticeAction::Snooze]
            }
            NoticeKind::Assigned | NoticeKind::Team => vec![NoticeAction::Done],
            _ => Vec::new(),
        };
        if has_link {
            a.push(NoticeAction::Open);
        }
        a.push(NoticeAction::Show);
        a
    }
}

impl FromStr for NoticeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "completed" => NoticeKind::Completed,
            "closed" => NoticeKind::Closed,
            "reopened" => NoticeKind::Reopened,
            "assigned" => NoticeKind::Assigned,
            "team" => NoticeKind::Team,
            "comment" => NoticeKind::Comment,
            "due_soon" => NoticeKind::DueSoon,
            "overdue" => NoticeKind::Overdue,
            other => return Err(format!("unknown notice kind {other:?}")),
        })
    }
}

/// A notification's buttons, as the D-Bus action keys name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum NoticeAction {
    /// Complete the task in Canvas.
    Done,
    /// Remind again in an hour.
    Snooze,
    /// Open the task in Canvas, in the browser.
    Open,
    /// Show the task in the window.
    Show,
}

impl NoticeAction {
    pub fn key(self) -> &'static str {
        match self {
            NoticeAction::Done => "done",
            NoticeAction::Snooze => "snooze",
            NoticeAction::Open => "open",
            NoticeAction::Show => "show",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NoticeAction::Done => "Mark done",
            NoticeAction::Snooze => "Snooze 1 h",
            NoticeAction::Open => "Open in Canvas",
            NoticeAction::Show => "Show",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        [
            NoticeAction::Done,
            NoticeAction::Snooze,
            NoticeAction::Open,
            NoticeAction::Show,
        ]
        .into_iter()
        .find(|a| a.key() == key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub task: TaskRef,
    pub kind: NoticeKind,
    pub summary: String,
    pub body: String,
    pub permalink: Option<String>,
    pub actions: Vec<NoticeAction>,
}

impl From<&crate::store::Notice> for Notification {
    fn from(n: &crate::store::Notice) -> Self {
        Notification {
            task: n.task.clone(),
            kind: n.kind,
            summary: n.summary.clone(),
            body: n.body.clone(),
            permalink: n.permalink.clone(),
            actions: n.actions.clone(),
        }
    }
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

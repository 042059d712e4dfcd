//! The domain types every part of Taskbell speaks: a task, its status, and the events that change
//! it. Sources (webhook, plugin socket, poller, Fragment) all produce the same [`TaskEvent`], so
//! nothing downstream needs to know where a change came from except to display it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use time::OffsetDateTime;
use ts_rs::TS;

/// The three states Canvas knows. FHIR spells them `requested`, `completed`, `cancelled`; the
/// Canvas UI and SDK say open, completed, closed. Taskbell uses the UI words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum TaskStatus {
    Open,
    Completed,
    Closed,
}

impl TaskStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Completed => "completed",
            TaskStatus::Closed => "closed",
        }
    }

    pub fn fhir(self) -> &'static str {
        match self {
            TaskStatus::Open => "requested",
            TaskStatus::Completed => "completed",
            TaskStatus::Closed => "cancelled",
        }
    }

    pub fn from_fhir(s: &str) -> Option<Self> {
        match s {
            "requested" => Some(TaskStatus::Open),
            "completed" => Some(TaskStatus::Completed),
            "cancelled" => Some(TaskStatus::Closed),
            _ => None,
        }
    }

    /// Completed and closed are the states a user waits for.
    pub fn is_done(self) -> bool {
        !matches!(self, TaskStatus::Open)
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "open" => Ok(TaskStatus::Open),
            "completed" => Ok(TaskStatus::Completed),
            "closed" => Ok(TaskStatus::Closed),
            other => {
                TaskStatus::from_fhir(other).ok_or_else(|| format!("unknown task status {other:?}"))
            }
        }
    }
}

/// A task is identified by the system it lives in and its id there, never by the id alone:
/// two Canvas instances (or Canvas and Fragment) may reuse ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct TaskRef {
    pub system: String,
    pub id: String,
}

impl TaskRef {
    pub fn new(system: impl Into<String>, id: impl Into<String>) -> Self {
        TaskRef {
            system: system.into(),
            id: id.into(),
        }
    }
}

/// A reference to a FHIR resource with an optional human label (`Patient/123`, "Ada Lovelace").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Party {
    pub id: String,
    pub display: Option<String>,
}

impl Party {
    pub fn id(id: impl Into<String>) -> Self {
        Party {
            id: id.into(),
            display: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub text: String,
    pub time: Option<OffsetDateTime>,
    pub author: Option<String>,
}

/// A task as Taskbell knows it, mapped from the FHIR Task resource Canvas serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub system: String,
    pub id: String,
    pub status: TaskStatus,
    pub description: String,
    pub patient: Option<Party>,
    pub owner: Option<Party>,
    pub team: Option<Party>,
    pub requester: Option<Party>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub authored_on: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub due: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub modified: Option<OffsetDateTime>,
    pub labels: Vec<String>,
    pub notes: Vec<Note>,
    pub permalink: Option<String>,
}

impl Task {
    pub fn task_ref(&self) -> TaskRef {
        TaskRef::new(self.system.clone(), self.id.clone())
    }
}

/// Where an event came from. Only ever used for display and diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Taskbell itself, through the FHIR API (a create or a status change it made).
    Api,
    /// The companion plugin over its WebSocket channel.
    Socket,
    /// A webhook delivery to the local endpoint.
    Webhook,
    /// The FHIR poller or reconcile.
    Poll,
    /// A Fragment webhook.
    Fragment,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Api => "api",
            Source::Socket => "socket",
            Source::Webhook => "webhook",
            Source::Poll => "poll",
            Source::Fragment => "fragment",
        }
    }
}

impl FromStr for Source {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "api" => Source::Api,
            "socket" => Source::Socket,
            "webhook" => Source::Webhook,
            "poll" => Source::Poll,
            "fragment" => Source::Fragment,
            other => return Err(format!("unknown source {other:?}")),
        })
    }
}

/// What happened to a task. Fragment's assignment steps are kept as their own kinds so the
/// timeline can show them, even though they do not change Canvas's three statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Created,
    Updated,
    Completed,
    Closed,
    Reopened,
    Commented,
    Assigned,
    Unassigned,
    Started,
    Paused,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::Completed => "completed",
            EventKind::Closed => "closed",
            EventKind::Reopened => "reopened",
            EventKind::Commented => "commented",
            EventKind::Assigned => "assigned",
            EventKind::Unassigned => "unassigned",
            EventKind::Started => "started",
            EventKind::Paused => "paused",
        }
    }

    /// The kind that a move into `status` represents.
    pub fn for_status(status: TaskStatus) -> Self {
        match status {
            TaskStatus::Open => EventKind::Reopened,
            TaskStatus::Completed => EventKind::Completed,
            TaskStatus::Closed => EventKind::Closed,
        }
    }
}

impl FromStr for EventKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "created" => EventKind::Created,
            "updated" => EventKind::Updated,
            "completed" => EventKind::Completed,
            "closed" => EventKind::Closed,
            "reopened" => EventKind::Reopened,
            "commented" => EventKind::Commented,
            "assigned" => EventKind::Assigned,
            "unassigned" => EventKind::Unassigned,
            "started" => EventKind::Started,
            "paused" => EventKind::Paused,
            other => return Err(format!("unknown event kind {other:?}")),
        })
    }
}

/// One observed change to a task, from any source.
///
/// An event with a system time ([`TaskEvent::at`]) is a state; one without, from outside, is a
/// hint ([`TaskEvent::is_hint`]).
///
/// `delivery_key` makes at-least-once delivery exactly-once in the store: the same delivery seen
/// twice (a webhook retry, a push and its reconcile) carries the same key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskEvent {
    pub delivery_key: String,
    pub task: TaskRef,
    pub kind: EventKind,
    pub source: Source,
    /// The system's own time for the state this event reports: Canvas's `lastModified` (or the
    /// plugin's `task.modified`), Fragment's `status.at`. It alone orders a task's states.
    /// `None` for a hint (a push that carries no such time: Taskbell reads the task instead) and
    /// for Taskbell's own write before Canvas answered it.
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub at: Option<OffsetDateTime>,
    /// The status after the event, when the source says.
    pub status: Option<TaskStatus>,
    /// Who caused it, as the source names them.
    pub actor: Option<String>,
    /// Whatever the source knew of the task at the time; fields it did not know stay `None`.
    pub snapshot: TaskSnapshot,
    /// An id the task carries in another system (Fragment's `externalId`).
    pub external_id: Option<String>,
}

impl TaskEvent {
    /// The state of `t` as read from Canvas, `previous` being what the store knew. The key
    /// holds the status and Canvas's time, so reading an unchanged task again is a repeat.
    pub fn from_read(t: &Task, previous: Option<TaskStatus>, source: Source) -> Self {
        let kind = match previous {
            None => EventKind::Created,
            Some(prev) if prev != t.status => EventKind::for_status(t.status),
            Some(_) => EventKind::Updated,
        };
        let modified = t
            .modified
            .map(|m| (m.unix_timestamp_nanos() / 1_000).to_string())
            .unwrap_or_else(|| "-".into());
        TaskEvent {
            delivery_key: format!("read:{}:{}:{}", t.id, t.status.as_str(), modified),
            task: t.task_ref(),
            kind,
            source,
            at: t.modified,
            status: Some(t.status),
            actor: None,
            snapshot: TaskSnapshot::from(t),
            external_id: None,
        }
    }

    /// A push that says something changed without the system's time for it: Taskbell cannot
    /// order it against what it knows, so it asks Canvas instead of applying it.
    pub fn is_hint(&self) -> bool {
        self.at.is_none() && self.source != Source::Api
    }
}

/// The parts of a task an event may carry. Every field is optional because each source knows
/// a different subset (seed 000 knows only the id and the disposition).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TaskSnapshot {
    pub description: Option<String>,
    pub patient: Option<Party>,
    pub owner: Option<Party>,
    pub team: Option<Party>,
    pub requester: Option<Party>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub due: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option", default)]
    pub authored_on: Option<OffsetDateTime>,
    pub labels: Option<Vec<String>>,
    pub permalink: Option<String>,
    /// The source saw the whole task (a FHIR read): a `None` then means "not set" rather than
    /// "not known", so it clears what was stored.
    #[serde(default)]
    pub full: bool,
    /// How many notes the task had, when the source read them all.
    #[serde(default)]
    pub notes: Option<NotesSeen>,
}

/// A task's notes as far as telling a new comment from a known one needs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NotesSeen {
    pub count: u32,
    /// The last note's author (a Practitioner id).
    pub last_by: Option<String>,
}

impl From<&Task> for TaskSnapshot {
    fn from(t: &Task) -> Self {
        TaskSnapshot {
            description: Some(t.description.clone()),
            patient: t.patient.clone(),
            owner: t.owner.clone(),
            team: t.team.clone(),
            requester: t.requester.clone(),
            due: t.due,
            authored_on: t.authored_on,
            labels: Some(t.labels.clone()),
            permalink: t.permalink.clone(),
            full: true,
            notes: Some(NotesSeen {
                count: u32::try_from(t.notes.len()).unwrap_or(u32::MAX),
                last_by: t.notes.last().and_then(|n| n.author.clone()),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_through_fhir_and_ui_words() {
        for s in [TaskStatus::Open, TaskStatus::Completed, TaskStatus::Closed] {
            assert_eq!(TaskStatus::from_fhir(s.fhir()), Some(s));
            assert_eq!(s.as_str().parse::<TaskStatus>(), Ok(s));
        }
        assert_eq!("cancelled".parse::<TaskStatus>(), Ok(TaskStatus::Closed));
        assert!("in-progress".parse::<TaskStatus>().is_err());
    }

    #[test]
    fn kinds_and_sources_round_trip() {
        for k in [
            EventKind::Created,
            EventKind::Commented,
            EventKind::Paused,
            EventKind::Reopened,
        ] {
            assert_eq!(k.as_str().parse::<EventKind>(), Ok(k));
        }
        for s in [
            Source::Api,
            Source::Socket,
            Source::Webhook,
            Source::Poll,
            Source::Fragment,
        ] {
            assert_eq!(s.as_str().parse::<Source>(), Ok(s));
        }
    }
}

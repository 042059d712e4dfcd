//! What a user asks of an existing task, kept as an intent rather than a body. Whenever it is
//! sent (at once, after a 412, or after waiting in the outbox) it is applied to the task as
//! Canvas holds it then, so nobody else's change is overwritten with a stale read.

use crate::task::{Task, TaskStatus};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TaskAction {
    Complete,
    Close,
    Reopen,
    /// One new note by `author` (a Practitioner id: Canvas requires every note's author).
    Comment {
        text: String,
        author: String,
    },
    /// To a person: the team, if any, stays.
    AssignOwner {
        practitioner: String,
    },
    /// To a team's queue: the personal owner is removed, so the task is the team's to take.
    AssignTeam {
        group: String,
    },
    Due {
        /// RFC 3339 with offset.
        #[serde(with = "time::serde::rfc3339")]
        #[ts(type = "string")]
        due: OffsetDateTime,
    },
}

/// An action as the user asked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ActionRequest {
    pub action: TaskAction,
    /// The status the user saw when asking, if they saw one. A status change is made only if
    /// Canvas still says this: completing a task someone closed meanwhile is reported, not done.
    #[serde(default)]
    pub seen: Option<TaskStatus>,
    /// Canvas's time just before the request was first sent: a note by the same author with the
    /// same text at or after it is this comment, found again after an answer was lost.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[ts(type = "string | null")]
    pub not_before: Option<OffsetDateTime>,
}

/// What an action means for the task as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Put,
    /// Nothing to change: the task already is what the user asked for.
    Already(String),
    /// The task changed so that the request no longer makes sense.
    Refused(String),
}

/// How an action ended in Canvas, with the task as Canvas then said it was.
#[derive(Debug, Clone, PartialEq)]
pub enum Acted {
    Applied(Task),
    Already(Task, String),
    Refused(Task, String),
}

impl Acted {
    pub fn task(&self) -> &Task {
        match self {
            Acted::Applied(t) | Acted::Already(t, _) | Acted::Refused(t, _) => t,
        }
    }
}

impl TaskAction {
    pub fn target_status(&self) -> Option<TaskStatus> {
        match self {
            TaskAction::Complete => Some(TaskStatus::Completed),
            TaskAction::Close => Some(TaskStatus::Closed),
            TaskAction::Reopen => Some(TaskStatus::Open),
            _ => None,
        }
    }

    /// Sending it twice changes nothing more than sending it once; a comment would be two notes.
    pub fn idempotent(&self) -> bool {
        !matches!(self, TaskAction::Comment { .. })
    }

    /// What the user asked, in a few words, for lists and errors.
    pub fn describe(&self) -> String {
        match self {
            TaskAction::Complete => "complete".into(),
            TaskAction::Close => "close".into(),
            TaskAction::Reopen => "reopen".into(),
            TaskAction::Comment { .. } => "comment".into(),
            TaskAction::AssignOwner { practitioner } => {
                format!("assign to Practitioner/{practitioner}")
            }
            TaskAction::AssignTeam { group } => format!("assign to the team Group/{group}"),
            TaskAction::Due { due } => format!(
                "set the due date to {}",
                crate::time_util::format_rfc3339(*due)
            ),
        }
    }
}

fn status_word(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Open => "open",
        TaskStatus::Completed => "completed",
        TaskStatus::Closed => "closed",
    }
}

impl ActionRequest {
    pub fn new(action: TaskAction) -> Self {
        ActionRequest {
            action,
            seen: None,
            not_before: None,
        }
    }

    pub fn seen(mut self, status: Option<TaskStatus>) -> Self {
        self.seen = status;
        self
    }

    pub fn plan(&self, task: &Task) -> Plan {
        if let Some(target) = self.action.target_status() {
            if task.status == target {
                return Plan::Already(format!(
                    "the task is already {} in Canvas",
                    status_word(target)
                ));
            }
            if let Some(seen) = self.seen.filter(|s| *s != task.status) {
                return Plan::Refused(format!(
                    "the task was {} when you asked and is now {} in Canvas, so it was not {}",
                    status_word(seen),
                    status_word(task.status),
                    match target {
                        TaskStatus::Open => "reopened",
                        TaskStatus::Completed => "completed",
                        TaskStatus::Closed => "closed",
                    }
                ));
            }
            return Plan::Put;
        }
        let id = |p: &Option<crate::task::Party>| p.as_ref().map(|p| p.id.clone());
        match &self.action {
            TaskAction::AssignOwner { practitioner }
                if id(&task.owner).as_ref() == Some(practitioner) =>
            {
                Plan::Already("the task is already assigned to them".into())
            }
            TaskAction::AssignTeam { group }
                if id(&task.team).as_ref() == Some(group) && task.owner.is_none() =>
            {
                Plan::Already("the task is already with that team".into())
            }
            TaskAction::Due { due } if task.due == Some(*due) => {
                Plan::Already("the task is already due then".into())
            }
            TaskAction::Comment { text, author }
                if self
                    .not_before
                    .is_some_and(|t| has_note(task, text, author, t)) =>
            {
                Plan::Already("the comment is already on the task".into())
            }
            _ => Plan::Put,
        }
    }

    /// Changes a PUT body (the task's writable fields, without notes) as the action asks.
    pub fn edit(&self, body: &mut Map<String, Value>) {
        let reference = |kind: &str, id: &str| json!({ "reference": format!("{kind}/{id}") });
        match &self.action {
            TaskAction::Complete | TaskAction::Close | TaskAction::Reopen => {
                if let Some(s) = self.action.target_status() {
                    body.insert("status".into(), json!(s.fhir()));
                }
            }
            TaskAction::Comment { text, author } => {
                body.insert(
                    "note".into(),
                    json!([{"text": text, "authorReference": reference("Practitioner", author)}]),
                );
            }
            TaskAction::AssignOwner { practitioner } => {
                body.insert("owner".into(), reference("Practitioner", practitioner));
            }
            TaskAction::AssignTeam { group } => {
                body.remove("owner");
                body.insert(
                    "extension".into(),
                    json!([{"url": super::fhir::EXT_GROUP, "valueReference": reference("Group", group)}]),
                );
            }
            TaskAction::Due { due } => {
                body.insert(
                    "restriction".into(),
                    json!({"period": {"end": crate::time_util::format_rfc3339(*due)}}),
                );
            }
        }
    }

    /// Refuses what Canvas would refuse or store wrongly, before anything is queued.
    pub fn check(&self) -> Result<(), String> {
        match &self.action {
            TaskAction::Comment { text, .. } if text.trim().is_empty() => {
                Err("a comment needs some text".into())
            }
            TaskAction::Comment { author, .. } if author.trim().is_empty() => {
                Err("a comment needs its author: set your practitioner in Settings".into())
            }
            TaskAction::AssignOwner { practitioner: id } | TaskAction::AssignTeam { group: id }
                if id.trim().is_empty() =>
            {
                Err("pick someone to assign the task to".into())
            }
            _ => Ok(()),
        }
    }
}

fn has_note(task: &Task, text: &str, author: &str, not_before: OffsetDateTime) -> bool {
    task.notes.iter().any(|n| {
        n.text == text
            && n.author.as_deref() == Some(author)
            && n.time.is_none_or(|t| t >= not_before)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{Note, Party};
    use time::macros::datetime;

    fn task(status: TaskStatus) -> Task {
        Task {
            system: "s".into(),
            id: "t".into(),
            status,
            description: "d".into(),
            patient: None,
            owner: Some(Party::id("p1")),
            team: None,
            requester: None,
            authored_on: None,
            due: None,
            modified: None,
            labels: vec![],
            notes: vec![],
            permalink: None,
        }
    }

    #[test]
    fn a_status_change_is_made_only_from_the_status_the_user_saw() {
        let complete = ActionRequest::new(TaskAction::Complete).seen(Some(TaskStatus::Open));
        assert_eq!(complete.plan(&task(TaskStatus::Open)), Plan::Put);
        assert!(matches!(
            complete.plan(&task(TaskStatus::Completed)),
            Plan::Already(_)
        ));
        let Plan::Refused(why) = complete.plan(&task(TaskStatus::Closed)) else {
            panic!("closed meanwhile")
        };
        assert!(why.contains("now closed"), "{why}");
        // Without a status seen (the CLI), the change is made from any other status.
        assert_eq!(
            ActionRequest::new(TaskAction::Reopen).plan(&task(TaskStatus::Closed)),
            Plan::Put
        );
    }

    #[test]
    fn a_comment_found_on_the_task_after_its_first_send_is_not_sent_again() {
        let at = datetime!(2026-11-30 10:00:00 UTC);
        let mut req = ActionRequest::new(TaskAction::Comment {
            text: "called".into(),
            author: "p1".into(),
        });
        let mut t = task(TaskStatus::Open);
        t.notes.push(Note {
            text: "called".into(),
            time: Some(at),
            author: Some("p1".into()),
        });
        assert_eq!(
            req.plan(&t),
            Plan::Put,
            "never sent: the same words earlier are another comment"
        );
        req.not_before = Some(at + time::Duration::seconds(1));
        assert_eq!(
            req.plan(&t),
            Plan::Put,
            "an older note with the same words is not this one"
        );
        req.not_before = Some(at - time::Duration::seconds(1));
        assert!(matches!(req.plan(&t), Plan::Already(_)));
    }

    #[test]
    fn assigning_to_a_team_hands_it_to_the_team_alone() {
        let req = ActionRequest::new(TaskAction::AssignTeam { group: "g1".into() });
        let mut body = Map::new();
        body.insert("owner".into(), json!({"reference": "Practitioner/p1"}));
        req.edit(&mut body);
        assert!(!body.contains_key("owner"));
        assert_eq!(
            body["extension"][0]["valueReference"]["reference"],
            "Group/g1"
        );
        let mut t = task(TaskStatus::Open);
        t.team = Some(Party::id("g1"));
        assert_eq!(req.plan(&t), Plan::Put, "still with a person too");
        t.owner = None;
        assert!(matches!(req.plan(&t), Plan::Already(_)));
    }
}

//! What a notification says. It may be read over someone's shoulder, so it names the patient
//! only when the user turned that on.

use super::{NoticeKind, Notification};
use crate::store::{Reminder, ReminderKind, TaskRow};
use crate::task::{TaskRef, TaskStatus};
use crate::time_util::{format_rfc3339, from_millis};

fn kind_for(status: TaskStatus) -> NoticeKind {
    match status {
        TaskStatus::Completed => NoticeKind::Completed,
        TaskStatus::Closed => NoticeKind::Closed,
        TaskStatus::Open => NoticeKind::Reopened,
    }
}

fn summary(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::Completed => "Task completed",
        NoticeKind::Closed => "Task closed",
        NoticeKind::Reopened => "Task reopened",
        NoticeKind::Assigned => "Assigned to you",
        NoticeKind::Team => "Assigned to your team",
        NoticeKind::Comment => "New comment on a task",
        NoticeKind::DueSoon => "Task due soon",
        NoticeKind::Overdue => "Task overdue",
    }
}

fn description(row: &TaskRow) -> String {
    if row.description.trim().is_empty() {
        "(no description)".to_string()
    } else {
        row.description.clone()
    }
}

fn notification(
    row: &TaskRow,
    kind: NoticeKind,
    mut body: String,
    show_patient: bool,
) -> Notification {
    if show_patient {
        if let Some(p) = &row.patient_name {
            body.push_str(&format!("\nPatient: {p}"));
        }
    }
    Notification {
        task: TaskRef::new(row.system.clone(), row.task_id.clone()),
        kind,
        summary: summary(kind).into(),
        body,
        permalink: row.permalink.clone(),
        actions: kind.actions(row.permalink.is_some()),
    }
}

/// The notification for `row`'s move into its status. `by` is the name of who did it, when
/// known; sources name the actor by id only, so without it the body says whose task it was.
pub fn compose(row: &TaskRow, by: Option<&str>, show_patient: bool) -> Notification {
    let mut body = description(row);
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
    notification(row, kind_for(row.status), body, show_patient)
}

fn push_due(body: &mut String, due: Option<i64>) {
    if let Some(due) = due {
        body.push_str(&format!(
            "\nDue {}",
            when(due, crate::time_util::local_offset_ms())
        ));
    }
}

/// A due time as a person reads it, in this computer's time: "Mon 30 Nov, 15:29".
fn when(unix_ms: i64, utc_offset_ms: i64) -> String {
    let offset =
        time::UtcOffset::from_whole_seconds(i32::try_from(utc_offset_ms / 1000).unwrap_or(0))
            .unwrap_or(time::UtcOffset::UTC);
    let format = time::macros::format_description!(
        "[weekday repr:short] [day padding:none] [month repr:short], [hour]:[minute]"
    );
    from_millis(unix_ms)
        .to_offset(offset)
        .format(&format)
        .unwrap_or_else(|_| format_rfc3339(from_millis(unix_ms)))
}

/// Work landing on the user: assigned to them or their team, or a comment on it.
pub fn compose_personal(
    row: &TaskRow,
    kind: NoticeKind,
    by: Option<&str>,
    show_patient: bool,
) -> Notification {
    let mut body = description(row);
    match kind {
        NoticeKind::Team => {
            if let Some(team) = row.team_name.as_deref().or(row.team_id.as_deref()) {
                body.push_str(&format!("\nTeam: {team}"));
            }
        }
        NoticeKind::Comment => {
            if let Some(who) = by {
                body.push_str(&format!("\nComment by {who}"));
            }
        }
        _ => {}
    }
    if kind != NoticeKind::Comment {
        push_due(&mut body, row.due_at);
    }
    notification(row, kind, body, show_patient)
}

pub fn compose_reminder(r: &Reminder, show_patient: bool) -> Notification {
    let kind = match r.kind {
        ReminderKind::DueSoon => NoticeKind::DueSoon,
        ReminderKind::Overdue => NoticeKind::Overdue,
    };
    let mut body = description(&r.task);
    push_due(&mut body, r.task.due_at);
    notification(&r.task, kind, body, show_patient)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::NoticeAction;

    fn row() -> TaskRow {
        crate::store::example_row()
    }

    #[test]
    fn patient_names_appear_only_when_asked_for() {
        let quiet = compose(&row(), None, false);
        assert_eq!(quiet.summary, "Task completed");
        assert_eq!(quiet.body, "Fax the referral\nAssigned to Nurse Joy");
        assert!(!quiet.body.contains("Ada"));
        let named = compose(&row(), Some("Dr. Wu"), true);
        assert_eq!(
            named.body,
            "Fax the referral\nCompleted by Dr. Wu\nPatient: Ada Quill"
        );
        let assigned = compose_personal(&row(), NoticeKind::Assigned, None, false);
        assert!(!assigned.body.contains("Ada"), "{}", assigned.body);
    }

    #[test]
    fn due_times_read_as_a_person_reads_them_in_local_time() {
        // 2026-11-30T15:29:00Z
        let t = 1_796_052_540_000;
        assert_eq!(when(t, 0), "Mon 30 Nov, 15:29");
        assert_eq!(when(t, 9 * 3_600_000), "Tue 1 Dec, 00:29");
    }

    #[test]
    fn closed_tasks_say_closed() {
        let mut r = row();
        r.status = TaskStatus::Closed;
        r.assignee_name = None;
        let n = compose(&r, None, false);
        assert_eq!(
            (n.summary.as_str(), n.body.as_str(), n.kind),
            ("Task closed", "Fax the referral", NoticeKind::Closed)
        );
    }

    #[test]
    fn work_that_lands_on_the_user_can_be_finished_from_the_notification() {
        let mut r = row();
        r.status = TaskStatus::Open;
        r.permalink = Some("https://x/task/1".into());
        let n = compose_personal(&r, NoticeKind::Assigned, None, false);
        assert_eq!(n.summary, "Assigned to you");
        assert_eq!(
            n.actions,
            [NoticeAction::Done, NoticeAction::Open, NoticeAction::Show]
        );
        let reminder = compose_reminder(
            &Reminder {
                kind: ReminderKind::Overdue,
                task: r.clone(),
            },
            false,
        );
        assert_eq!(
            reminder.actions,
            [
                NoticeAction::Done,
                NoticeAction::Snooze,
                NoticeAction::Open,
                NoticeAction::Show
            ]
        );
        let comment = compose_personal(&r, NoticeKind::Comment, Some("Dr. Wu"), false);
        assert_eq!(comment.actions, [NoticeAction::Open, NoticeAction::Show]);
        assert!(
            comment.body.ends_with("Comment by Dr. Wu"),
            "{}",
            comment.body
        );
    }
}

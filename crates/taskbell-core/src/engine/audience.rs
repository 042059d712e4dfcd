//! Who is to hear of a change, decided inside the transaction that stores it: a status move
//! the user follows, work assigned to them or their team, a comment by someone else on their
//! task. The notice is written in that same transaction, so a change is announced once.

use super::NotifyPrefs;
use crate::canvas::TaskAction;
use crate::notify::{compose, compose_personal, NoticeKind, Notification};
use crate::store::{Applied, NewNotice, ReminderKind, Store, StoreError, TaskRow};
use crate::task::{EventKind, TaskEvent, TaskStatus};
use crate::time_util::to_millis;

/// How long after the user asked for a change Canvas's news of it is taken as theirs: longer
/// than an action waits in the outbox while Canvas answers slowly or not at all.
const OWN_ACTION_WINDOW_MS: i64 = 15 * 60_000;

/// The preferences, this user, and whether notifications are held, taken once for a group.
pub(super) struct Audience {
    pub prefs: NotifyPrefs,
    pub me: Option<String>,
    /// Paused, or inside quiet hours: notices are written unread but not shown.
    pub held: bool,
    /// Now, by the clock due dates are held against (Canvas's once it answered).
    pub wall_now: i64,
}

/// What was written for an event.
pub(super) enum Written {
    /// A notice to show now: its id and what it says.
    Popup(i64, Notification),
    /// A notice kept unread, not shown.
    Held,
}

impl Audience {
    /// Writes the notice `e` is owed, if any.
    pub fn notice(
        &self,
        store: &Store,
        e: &TaskEvent,
        a: &Applied,
        event: i64,
        now: i64,
    ) -> Result<Option<Written>, StoreError> {
        let Some(row) = a
            .row
            .as_ref()
            .filter(|_| !(a.duplicate || a.stale || a.hint))
        else {
            return Ok(None);
        };
        let Some(kind) = self.kind(store, e, a, row, now)? else {
            return Ok(None);
        };
        let n = match kind {
            NoticeKind::Completed | NoticeKind::Closed | NoticeKind::Reopened => compose(
                row,
                e.actor.as_deref().and_then(|a| row.name_of(a)),
                self.prefs.show_patient,
            ),
            _ => compose_personal(
                row,
                kind,
                e.actor.as_deref().and_then(|a| row.name_of(a)),
                self.prefs.show_patient,
            ),
        };
        if matches!(kind, NoticeKind::Assigned | NoticeKind::Team) {
            self.told_when_due(store, row)?;
        }
        let id = store.add_notice(&new_notice(&n, now, self.held, Some(event)))?;
        Ok(id.map(|id| {
            if self.held {
                Written::Held
            } else {
                Written::Popup(id, n)
            }
        }))
    }

    /// Work that lands already due soon (or overdue) says so itself: its reminder is counted
    /// as given, rather than replacing the news a moment later.
    fn told_when_due(&self, store: &Store, row: &TaskRow) -> Result<(), StoreError> {
        let Some(due) = row.due_at else { return Ok(()) };
        let kind = if due <= self.wall_now {
            self.prefs.overdue.then_some(ReminderKind::Overdue)
        } else {
            self.prefs
                .due_soon_minutes
                .filter(|m| due - i64::from(*m) * 60_000 <= self.wall_now)
                .map(|_| ReminderKind::DueSoon)
        };
        if let Some(kind) = kind {
            store.mark_reminded(row, kind, self.wall_now)?;
        }
        Ok(())
    }

    fn is_me(&self, id: Option<&str>) -> bool {
        self.me.is_some() && id == self.me.as_deref()
    }

    fn kind(
        &self,
        store: &Store,
        e: &TaskEvent,
        a: &Applied,
        row: &TaskRow,
        now: i64,
    ) -> Result<Option<NoticeKind>, StoreError> {
        let p = &self.prefs;
        // Canvas's word of a change the user just made here (its push may come before the
        // answer to the request does) is not news to them.
        let own =
            store.own_actions_since(&e.task.system, &e.task.id, now - OWN_ACTION_WINDOW_MS)?;
        let own_status = own.iter().any(|a| a.target_status() == Some(row.status));
        let own_assign = own.iter().any(|a| {
            matches!(
                a,
                TaskAction::AssignOwner { .. } | TaskAction::AssignTeam { .. }
            )
        });
        if a.transitioned()
            && !own_status
            && p.wants(EventKind::for_status(row.status), row, self.me.as_deref())
        {
            return Ok(Some(match row.status {
                TaskStatus::Completed => NoticeKind::Completed,
                TaskStatus::Closed => NoticeKind::Closed,
                TaskStatus::Open => NoticeKind::Reopened,
            }));
        }
        let by_me = self.is_me(e.actor.as_deref());
        if row.status == TaskStatus::Open && !by_me && !row.mine && !own_assign {
            let to_me = p.assigned_to_me && self.is_me(row.assignee_id.as_deref());
            let to_team = p.assigned_to_team
                && !self.is_me(row.assignee_id.as_deref())
                && row.team_id.as_ref().is_some_and(|t| p.teams.contains(t));
            if to_me || to_team {
                let moved = match &a.before {
                    Some(b) if to_me => b.owner != row.assignee_id,
                    Some(b) => b.team != row.team_id,
                    None => !self.is_me(row.requester_id.as_deref()) && is_new(store, e)?,
                };
                if moved {
                    return Ok(Some(if to_me {
                        NoticeKind::Assigned
                    } else {
                        NoticeKind::Team
                    }));
                }
            }
        }
        let comment = a
            .new_note
            .as_ref()
            .is_some_and(|n| !self.is_me(n.by.as_deref()));
        let theirs = row.mine
            || self.is_me(row.requester_id.as_deref())
            || self.is_me(row.assignee_id.as_deref());
        Ok((p.comments && comment && theirs && !by_me).then_some(NoticeKind::Comment))
    }
}

/// Whether a task seen for the first time changed after Taskbell started following its
/// system (by Canvas's clock): the first reconcile's backlog is not news, a task created or
/// reassigned since is.
fn is_new(store: &Store, e: &TaskEvent) -> Result<bool, StoreError> {
    let Some(at) = e.at else { return Ok(false) };
    Ok(store
        .poll_cursor(&e.task.system)?
        .is_some_and(|c| to_millis(at) >= c.cursor_at))
}

pub(super) fn new_notice(
    n: &Notification,
    now: i64,
    held: bool,
    event: Option<i64>,
) -> NewNotice<'_> {
    NewNotice {
        says: n,
        at: now,
        held,
        event,
    }
}

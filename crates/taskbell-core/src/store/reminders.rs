//! Due-soon and overdue reminders for the open tasks of this user and their teams, computed
//! from the tasks' due dates, with a record of each one fired.

use super::history::{task_row, TaskRow, COLUMNS};
use super::{Store, StoreError};
use rusqlite::params;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    DueSoon,
    Overdue,
}

impl ReminderKind {
    fn as_str(self) -> &'static str {
        match self {
            ReminderKind::DueSoon => "due_soon",
            ReminderKind::Overdue => "overdue",
        }
    }
}

/// Whose tasks, and which reminders.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReminderRules {
    pub system: String,
    pub me: Option<String>,
    pub teams: Vec<String>,
    /// How long before the due date "due soon" fires; `None`: never.
    pub lead_ms: Option<i64>,
    pub overdue: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Reminder {
    pub kind: ReminderKind,
    pub task: TaskRow,
}

impl Store {
    /// The open tasks these rules cover that have a due date, soonest due first.
    fn dated_tasks(&self, r: &ReminderRules) -> Result<Vec<TaskRow>, StoreError> {
        let whose = super::for_me::whose(&r.system, r.me.as_deref(), &r.teams);
        let Some((whom, args)) = whose.filter(|_| r.lead_ms.is_some() || r.overdue) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM tasks WHERE system = ? AND status = 'open' AND due_at IS NOT NULL AND ({whom})
             ORDER BY due_at"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), task_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// When a snoozed reminder for `t` comes back, if one is put off.
    fn snoozed_until(&self, t: &TaskRow) -> Result<Option<i64>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT until FROM snoozes WHERE system = ?1 AND task_id = ?2")?;
        let mut rows = stmt.query(params![t.system, t.task_id])?;
        Ok(match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        })
    }

    /// Puts off `t`'s reminders until `until`: then it is reminded once more, as due soon or
    /// overdue as it is by then, and nothing in between.
    pub fn snooze(&self, t: &crate::task::TaskRef, until: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO snoozes (system, task_id, until) VALUES (?1, ?2, ?3)
             ON CONFLICT (system, task_id) DO UPDATE SET until = excluded.until",
            params![t.system, t.id, until],
        )?;
        Ok(())
    }

    fn fired(&self, t: &TaskRow, kind: ReminderKind, due_at: i64) -> Result<bool, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT 1 FROM reminders_fired WHERE system = ?1 AND task_id = ?2 AND kind = ?3 AND due_at = ?4",
        )?;
        Ok(stmt.exists(params![t.system, t.task_id, kind.as_str(), due_at])?)
    }

    /// The kind of reminder a task is owed at `now`, if any: overdue once past its due date
    /// (a due-soon reminder missed meanwhile is not shown late), due soon within the lead time.
    fn owed(
        &self,
        r: &ReminderRules,
        t: &TaskRow,
        now: i64,
    ) -> Result<Option<ReminderKind>, StoreError> {
        let Some(due) = t.due_at else { return Ok(None) };
        if let Some(until) = self.snoozed_until(t)? {
            if until > now {
                return Ok(None);
            }
            // Back from a snooze: reminded once more whatever was fired before.
            return Ok(Some(if due <= now {
                ReminderKind::Overdue
            } else {
                ReminderKind::DueSoon
            }));
        }
        let kind = if due <= now {
            r.overdue.then_some(ReminderKind::Overdue)
        } else {
            r.lead_ms
                .filter(|lead| due - lead <= now)
                .map(|_| ReminderKind::DueSoon)
        };
        match kind {
            Some(k) if !self.fired(t, k, due)? => Ok(Some(k)),
            _ => Ok(None),
        }
    }

    /// The reminders owed at `now` and not yet fired.
    pub fn reminders_due(&self, r: &ReminderRules, now: i64) -> Result<Vec<Reminder>, StoreError> {
        let mut out = Vec::new();
        for task in self.dated_tasks(r)? {
            if let Some(kind) = self.owed(r, &task, now)? {
                out.push(Reminder { kind, task });
            }
        }
        Ok(out)
    }

    /// When the next reminder after `now` falls due, if any is coming.
    pub fn next_reminder_at(&self, r: &ReminderRules, now: i64) -> Result<Option<i64>, StoreError> {
        let mut next: Option<i64> = None;
        for t in self.dated_tasks(r)? {
            let Some(due) = t.due_at else { continue };
            if let Some(until) = self.snoozed_until(&t)? {
                if until > now {
                    next = Some(next.map_or(until, |n| n.min(until)));
                }
                continue;
            }
            let times = [
                r.lead_ms.map(|lead| (ReminderKind::DueSoon, due - lead)),
                r.overdue.then_some((ReminderKind::Overdue, due)),
            ];
            for (kind, at) in times.into_iter().flatten() {
                let live = !(kind == ReminderKind::DueSoon && due <= now);
                if at > now && live && !self.fired(&t, kind, due)? {
                    next = Some(next.map_or(at, |n| n.min(at)));
                }
            }
        }
        Ok(next)
    }

    /// Records a reminder as fired (ending a snooze it came back from). False when it already
    /// was (another process fired it).
    pub fn mark_reminded(
        &self,
        t: &TaskRow,
        kind: ReminderKind,
        now: i64,
    ) -> Result<bool, StoreError> {
        let Some(due) = t.due_at else {
            return Ok(false);
        };
        let woke = self.conn.execute(
            "DELETE FROM snoozes WHERE system = ?1 AND task_id = ?2 AND until <= ?3",
            params![t.system, t.task_id, now],
        )?;
        let n = self.conn.execute(
            "INSERT INTO reminders_fired (system, task_id, kind, due_at, fired_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO NOTHING",
            params![t.system, t.task_id, kind.as_str(), due, now],
        )?;
        Ok(n == 1 || woke == 1)
    }
}

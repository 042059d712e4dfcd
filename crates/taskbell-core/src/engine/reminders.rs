//! Due-soon and overdue reminders. Nothing polls: the loop sleeps until the next reminder is
//! due, or until a task changes, and with no reminder coming it sleeps until a task changes.
//! A reminder is recorded as fired in the same transaction that finds it owed, so it is shown
//! once even by two Taskbells on one database, and one owed while Taskbell was off is shown at
//! the next start.

use super::{Engine, EngineError};
use crate::notify::Notification;
use crate::store::{Reminder, ReminderKind, ReminderRules};
use crate::task::TaskRef;
use std::time::Duration;

impl Engine {
    fn reminder_rules(&self) -> Option<ReminderRules> {
        let system = self.canvas()?.system().to_string();
        let prefs = self.prefs();
        Some(ReminderRules {
            system,
            me: self.me(),
            teams: prefs.teams,
            lead_ms: prefs.due_soon_minutes.map(|m| i64::from(m) * 60_000),
            overdue: prefs.overdue,
        })
    }

    /// Now, for comparing with due dates: Canvas's clock once it has answered, this computer's
    /// before (a desktop clock minutes off would otherwise move every reminder with it).
    pub fn wall_now_millis(&self) -> i64 {
        self.canvas()
            .and_then(|c| c.canvas_now())
            .map_or_else(|| self.clock().now_millis(), crate::time_util::to_millis)
    }

    /// Shows every reminder owed now and not yet shown; returns how many.
    pub async fn fire_reminders(&self) -> Result<usize, EngineError> {
        let Some(rules) = self.reminder_rules() else {
            return Ok(0);
        };
        let now = self.wall_now_millis();
        let owed: Vec<Reminder> = self
            .write(move |s| {
                let mut won = Vec::new();
                for r in s.reminders_due(&rules, now)? {
                    if s.mark_reminded(&r.task, r.kind, now)? {
                        won.push(r);
                    }
                }
                Ok(won)
            })
            .await?;
        let (show_patient, paused) = (self.prefs().show_patient, self.notifications_paused());
        for r in &owed {
            if paused {
                continue;
            }
            let n = compose_reminder(r, show_patient);
            let notifier = self.shared.notifier.clone();
            let shown = tokio::task::spawn_blocking(move || notifier.show(&n)).await;
            if let Ok(Err(e)) = shown {
                tracing::warn!("{e}");
            }
        }
        Ok(owed.len())
    }

    /// When the next reminder falls due, by the same clock as [`Engine::fire_reminders`].
    pub async fn next_reminder_in(&self) -> Result<Option<Duration>, EngineError> {
        let Some(rules) = self.reminder_rules() else {
            return Ok(None);
        };
        let now = self.wall_now_millis();
        let at = self.read(move |s| s.next_reminder_at(&rules, now)).await?;
        Ok(at.map(|at| Duration::from_millis(u64::try_from(at - now).unwrap_or(0))))
    }

    /// Fires reminders as they fall due until `stop` fires.
    pub async fn run_reminders(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut changes = self.subscribe();
        loop {
            if let Err(e) = self.fire_reminders().await {
                tracing::warn!("reminders could not be checked: {e}");
            }
            let next = self.next_reminder_in().await.unwrap_or_else(|e| {
                tracing::warn!("the next reminder could not be found: {e}");
                None
            });
            let due = async {
                match next {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = due => {}
                _ = changes.recv() => {
                    // A burst of changes is looked at once, not once per change.
                    while changes.try_recv().is_ok() {}
                }
                _ = stop.changed() => return,
            }
        }
    }
}

/// No patient name unless asked for, as every notification.
pub fn compose_reminder(r: &Reminder, show_patient: bool) -> Notification {
    let t = &r.task;
    let summary = match r.kind {
        ReminderKind::DueSoon => "Task due soon",
        ReminderKind::Overdue => "Task overdue",
    };
    let mut body = if t.description.trim().is_empty() {
        "(no description)".to_string()
    } else {
        t.description.clone()
    };
    if let Some(due) = t.due_at {
        body.push_str(&format!(
            "\nDue {}",
            crate::time_util::format_rfc3339(crate::time_util::from_millis(due))
        ));
    }
    if show_patient {
        if let Some(p) = &t.patient_name {
            body.push_str(&format!("\nPatient: {p}"));
        }
    }
    Notification {
        task: TaskRef::new(t.system.clone(), t.task_id.clone()),
        summary: summary.into(),
        body,
        permalink: t.permalink.clone(),
    }
}

//! Due-soon and overdue reminders. Nothing polls: the loop sleeps until the next reminder is
//! due, or until a task changes, and with no reminder coming it sleeps until a task changes.
//! A reminder is recorded as fired in the same transaction that finds it owed, so it is shown
//! once even by two Taskbells on one database, and one owed while Taskbell was off is shown at
//! the next start.

use super::audience::new_notice;
use super::{Engine, EngineError};
use crate::notify::{compose_reminder, Notification};
use crate::store::ReminderRules;
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

    /// Shows every reminder owed now and not yet shown (held in quiet hours); returns how many.
    pub async fn fire_reminders(&self) -> Result<usize, EngineError> {
        let Some(rules) = self.reminder_rules() else {
            return Ok(0);
        };
        let now = self.wall_now_millis();
        let received = self.clock().now_millis();
        let audience = self.audience();
        let (held, show_patient) = (audience.held, audience.prefs.show_patient);
        let written: Vec<(i64, Notification)> = self
            .write(move |s| {
                let mut won = Vec::new();
                for r in s.reminders_due(&rules, now)? {
                    if s.mark_reminded(&r.task, r.kind, now)? {
                        let n = compose_reminder(&r, show_patient);
                        if let Some(id) = s.add_notice(&new_notice(&n, received, held, None))? {
                            won.push((id, n));
                        }
                    }
                }
                Ok(won)
            })
            .await?;
        if !written.is_empty() {
            let _ = self.shared.ui.send(super::UiEvent::NoticesChanged);
        }
        let count = written.len();
        if !held {
            for (id, n) in written {
                self.show_now(id, n).await;
            }
        }
        Ok(count)
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

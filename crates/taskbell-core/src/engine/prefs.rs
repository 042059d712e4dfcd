//! Who hears about what: the notification preferences the engine applies after every commit.

use crate::store::TaskRow;
use crate::task::EventKind;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum NotifyScope {
    /// Tasks this user created (here or as requester in Canvas) or is assigned.
    Mine,
    /// Every task Taskbell hears of.
    Everyone,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotifyPrefs {
    pub scope: NotifyScope,
    /// Event kinds that notify. Completion and closure by default.
    pub kinds: Vec<EventKind>,
    /// Name the patient in the notification body. Off by default: notifications are seen by
    /// whoever stands near the screen.
    pub show_patient: bool,
    /// Remind this long before an open task of mine or my teams is due; `None`: no reminder.
    #[serde(default = "default_due_soon")]
    pub due_soon_minutes: Option<u32>,
    /// Remind once when such a task is overdue.
    #[serde(default = "yes")]
    pub overdue: bool,
    /// The teams (Group ids) whose tasks count as this user's.
    #[serde(default)]
    pub teams: Vec<String>,
    /// "Assigned to you": a task someone else assigned to this user.
    #[serde(default = "yes")]
    pub assigned_to_me: bool,
    /// "Assigned to your team": a task that moved into one of `teams`.
    #[serde(default = "yes")]
    pub assigned_to_team: bool,
    /// A comment by someone else on a task this user requested or owns.
    #[serde(default = "yes")]
    pub comments: bool,
    /// A daily window in which notifications are held (kept unread, not shown).
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}

/// A daily window, in the desktop's local time, that may cross midnight (18:00 to 08:00).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuietHours {
    /// "HH:MM".
    pub start: String,
    pub end: String,
}

/// Minutes since midnight of "HH:MM".
pub fn minute_of_day(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && hhmm.trim().len() == 5).then_some(h * 60 + m)
}

impl QuietHours {
    /// Whether the window holds `minute` (minutes since local midnight). Start is inside, end
    /// is not; an empty window (start = end) holds nothing.
    pub fn holds(&self, minute: u32) -> bool {
        match (minute_of_day(&self.start), minute_of_day(&self.end)) {
            (Some(s), Some(e)) if s < e => (s..e).contains(&minute),
            (Some(s), Some(e)) if s > e => minute >= s || minute < e,
            _ => false,
        }
    }

    /// Whether the window holds the instant `unix_ms` at `utc_offset_ms` from UTC.
    pub fn holds_at(&self, unix_ms: i64, utc_offset_ms: i64) -> bool {
        let day_ms = (unix_ms + utc_offset_ms).rem_euclid(86_400_000);
        self.holds(u32::try_from(day_ms / 60_000).unwrap_or(0))
    }
}

fn default_due_soon() -> Option<u32> {
    Some(60)
}

fn yes() -> bool {
    true
}

impl Default for NotifyPrefs {
    fn default() -> Self {
        NotifyPrefs {
            scope: NotifyScope::Mine,
            kinds: vec![EventKind::Completed, EventKind::Closed],
            show_patient: false,
            due_soon_minutes: default_due_soon(),
            overdue: true,
            teams: Vec::new(),
            assigned_to_me: true,
            assigned_to_team: true,
            comments: true,
            quiet_hours: None,
        }
    }
}

impl NotifyPrefs {
    /// Whether `row`, just moved by `kind`, concerns this user (`me` is their practitioner id).
    pub fn wants(&self, kind: EventKind, row: &TaskRow, me: Option<&str>) -> bool {
        if !self.kinds.contains(&kind) {
            return false;
        }
        match self.scope {
            NotifyScope::Everyone => true,
            NotifyScope::Mine => {
                row.mine
                    || me.is_some_and(|me| {
                        row.requester_id.as_deref() == Some(me)
                            || row.assignee_id.as_deref() == Some(me)
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(start: &str, end: &str) -> QuietHours {
        QuietHours {
            start: start.into(),
            end: end.into(),
        }
    }

    #[test]
    fn quiet_hours_may_cross_midnight() {
        let night = window("18:00", "08:00");
        assert!(night.holds(18 * 60) && night.holds(23 * 60 + 59) && night.holds(0));
        assert!(night.holds(7 * 60 + 59) && !night.holds(8 * 60) && !night.holds(12 * 60));
        let lunch = window("12:00", "13:00");
        assert!(lunch.holds(12 * 60 + 30) && !lunch.holds(13 * 60) && !lunch.holds(11 * 60));
        assert!(!window("09:00", "09:00").holds(9 * 60), "empty window");
        assert!(
            !window("25:00", "08:00").holds(60),
            "invalid start holds nothing"
        );
    }

    #[test]
    fn quiet_hours_follow_the_local_offset() {
        let night = window("22:00", "06:00");
        // 21:30 UTC is 23:30 at UTC+2 (held), 16:30 at UTC-5 (not).
        let t = 21 * 3_600_000 + 30 * 60_000;
        assert!(night.holds_at(t, 2 * 3_600_000));
        assert!(!night.holds_at(t, -5 * 3_600_000));
    }

    #[test]
    fn times_parse_only_as_hh_mm() {
        assert_eq!(minute_of_day("08:30"), Some(510));
        assert_eq!(minute_of_day("8:30"), None);
        assert_eq!(minute_of_day("24:00"), None);
        assert_eq!(minute_of_day("ab:cd"), None);
    }
}

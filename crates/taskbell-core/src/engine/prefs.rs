//! Who hears about what: the notification preferences the engine applies after every commit.

use crate::store::TaskRow;
use crate::task::EventKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl Default for NotifyPrefs {
    fn default() -> Self {
        NotifyPrefs {
            scope: NotifyScope::Mine,
            kinds: vec![EventKind::Completed, EventKind::Closed],
            show_patient: false,
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

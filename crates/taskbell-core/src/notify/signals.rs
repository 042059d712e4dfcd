//! The desktop notifier's one listener: the daemon's ActionInvoked and NotificationClosed
//! signals, read on one thread from the notifier's connection and dispatched by notification id.
//! What is known of each open notification (its task and link) is dropped when the daemon says
//! it closed, so nothing is kept, and nobody waits, for a notification that is gone.

use super::desktop::{ActionHandler, INTERFACE, PATH};
use super::NoticeAction;
use crate::task::TaskRef;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use zbus::blocking::{Connection, MessageIterator};
use zbus::message::{Message, Type};
use zbus::MatchRule;

pub const THREAD_NAME: &str = "taskbell-notify";

/// A daemon may close a notification before its id is recorded (its NotificationClosed then
/// finds nothing to drop); past this many, the oldest are dropped, so such misses cannot pile up.
const MAX_OPEN: usize = 256;

/// Signals the listener has not read yet; far more than anyone clicks.
const QUEUE: usize = 64;

struct Note {
    task: TaskRef,
    link: Option<String>,
}

#[derive(Default)]
struct Notes {
    /// Daemons number notifications in increasing order, so the first is the oldest.
    by_id: BTreeMap<u32, Note>,
    by_task: HashMap<TaskRef, u32>,
}

impl Notes {
    fn remove(&mut self, id: u32) {
        if let Some(note) = self.by_id.remove(&id) {
            if self.by_task.get(&note.task) == Some(&id) {
                self.by_task.remove(&note.task);
            }
        }
    }
}

/// The open notifications, shared by the notifier (which records them) and the listener.
pub struct Open {
    notes: Mutex<Notes>,
    on_action: Option<ActionHandler>,
}

impl Open {
    pub fn new(on_action: Option<ActionHandler>) -> Self {
        Open {
            notes: Mutex::new(Notes::default()),
            on_action,
        }
    }

    fn notes(&self) -> std::sync::MutexGuard<'_, Notes> {
        self.notes.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The id of `task`'s notification while it is open, for its next one to replace.
    pub fn id_of(&self, task: &TaskRef) -> Option<u32> {
        self.notes().by_task.get(task).copied()
    }

    /// A replacement comes back with its predecessor's id and takes its place.
    pub fn shown(&self, id: u32, task: TaskRef, link: Option<String>) {
        let mut notes = self.notes();
        notes.by_task.insert(task.clone(), id);
        notes.by_id.insert(id, Note { task, link });
        while notes.by_id.len() > MAX_OPEN {
            let Some(oldest) = notes.by_id.keys().next().copied() else {
                break;
            };
            notes.remove(oldest);
        }
    }

    pub fn closed(&self, id: u32) {
        self.notes().remove(id);
    }

    /// Runs the handler for a button of one of ours; other actions and other apps' notifications
    /// (on daemons that broadcast their signals) are ignored.
    pub fn invoked(&self, id: u32, action: &str) {
        let Some(handler) = &self.on_action else {
            return;
        };
        if NoticeAction::from_key(action).is_none() {
            return;
        }
        // Copied out: the handler may take its time, and the notifier must not wait for it.
        let target = self
            .notes()
            .by_id
            .get(&id)
            .map(|n| (n.task.clone(), n.link.clone()));
        if let Some((task, link)) = target {
            handler(action, &task, link.as_deref());
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.notes().by_id.len()
    }
}

/// Subscribes `conn` to the notification signals and starts the thread that reads them. The
/// thread ends when the connection closes.
pub fn listen(conn: &Connection, open: Arc<Open>) -> Result<(), String> {
    let rule = MatchRule::builder()
        .msg_type(Type::Signal)
        .interface(INTERFACE)
        .and_then(|b| b.path(PATH))
        .map_err(|e| e.to_string())?
        .build();
    let signals =
        MessageIterator::for_match_rule(rule, conn, Some(QUEUE)).map_err(|e| e.to_string())?;
    std::thread::Builder::new()
        .name(THREAD_NAME.into())
        .spawn(move || {
            for message in signals {
                match message {
                    Ok(m) => dispatch(&open, &m),
                    Err(e) => tracing::debug!("a notification signal could not be read: {e}"),
                }
            }
            tracing::debug!("the notification listener stopped: its connection closed");
        })
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn dispatch(open: &Open, m: &Message) {
    let header = m.header();
    match header.member().map(|n| n.as_str()) {
        Some("ActionInvoked") => {
            if let Ok((id, action)) = m.body().deserialize::<(u32, String)>() {
                open.invoked(id, &action);
            }
        }
        Some("NotificationClosed") => {
            if let Ok((id, _reason)) = m.body().deserialize::<(u32, u32)>() {
                open.closed(id);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_dropped_on_close_and_kept_bounded() {
        let open = Open::new(None);
        let task = |i: u32| TaskRef::new("sandbox", format!("t{i}"));
        open.shown(1, task(1), None);
        open.shown(2, task(2), None);
        assert_eq!(open.id_of(&task(1)), Some(1));
        open.closed(1);
        assert_eq!((open.id_of(&task(1)), open.len()), (None, 1));
        // A closed id that comes back for another task does not drop the task that reused it.
        open.shown(3, task(2), None);
        open.closed(2);
        assert_eq!(open.id_of(&task(2)), Some(3));
        for i in 10..(10 + MAX_OPEN as u32 + 5) {
            open.shown(i, task(i), None);
        }
        assert_eq!(open.len(), MAX_OPEN);
        assert_eq!(open.id_of(&task(2)), None, "the oldest went first");
    }
}

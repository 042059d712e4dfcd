//! Desktop notifications over the freedesktop D-Bus interface (notify-rust). One notification
//! per task: a task's new notification replaces its previous one, so a busy day does not leave
//! a stack of stale ones.

use super::{Notification, Notifier, NotifyError};
use crate::task::TaskRef;
use notify_rust::{Hint, Timeout, Urgency};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub const ACTION_OPEN: &str = "open";
pub const ACTION_SHOW: &str = "show";

/// Called on a notification's button: (`ACTION_OPEN` or `ACTION_SHOW`, the task, its permalink).
pub type ActionHandler = Arc<dyn Fn(&str, &TaskRef, Option<&str>) + Send + Sync>;

pub struct DesktopNotifier {
    ids: Mutex<HashMap<TaskRef, u32>>,
    sound: std::sync::atomic::AtomicBool,
    on_action: Option<ActionHandler>,
}

impl DesktopNotifier {
    pub fn new(on_action: Option<ActionHandler>) -> Self {
        DesktopNotifier { ids: Mutex::new(HashMap::new()), sound: true.into(), on_action }
    }

    pub fn set_sound(&self, on: bool) {
        self.sound.store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether a notification service answers on the session bus right now.
    pub fn available() -> bool {
        notify_rust::get_server_information().is_ok()
    }
}

impl Notifier for DesktopNotifier {
    fn show(&self, n: &Notification) -> Result<(), NotifyError> {
        let mut note = notify_rust::Notification::new();
        note.appname("Taskbell")
            .summary(&n.summary)
            .body(&n.body)
            .icon("task-due")
            .urgency(Urgency::Normal)
            .timeout(Timeout::Default)
            .hint(Hint::Category("im.received".into()));
        if n.permalink.is_some() {
            note.action(ACTION_OPEN, "Open in Canvas");
        }
        note.action(ACTION_SHOW, "Show");
        if self.sound.load(std::sync::atomic::Ordering::Relaxed) {
            note.sound_name("message-new-instant");
        } else {
            note.hint(Hint::SuppressSound(true));
        }
        let previous = self.ids.lock().unwrap_or_else(|p| p.into_inner()).get(&n.task).copied();
        if let Some(id) = previous {
            note.id(id);
        }
        let handle = note.show().map_err(|e| {
            let msg = e.to_string();
            if msg.contains("ServiceUnknown") || msg.contains("org.freedesktop.Notifications") || msg.contains("not provided") {
                NotifyError::Unavailable(msg)
            } else {
                NotifyError::Failed(msg)
            }
        })?;
        self.ids.lock().unwrap_or_else(|p| p.into_inner()).insert(n.task.clone(), handle.id());
        // A replacement keeps its id, and the thread already waiting on that id answers its
        // clicks: a second waiter would run every action twice.
        let replaced_in_place = previous == Some(handle.id());
        if let Some(on_action) = self.on_action.clone().filter(|_| !replaced_in_place) {
            let (task, link) = (n.task.clone(), n.permalink.clone());
            // notify-rust waits for the click on the calling thread; the wait ends when the
            // notification closes.
            std::thread::spawn(move || {
                handle.wait_for_action(|action| {
                    if action == ACTION_OPEN || action == ACTION_SHOW {
                        on_action(action, &task, link.as_deref());
                    }
                })
            });
        }
        Ok(())
    }
}

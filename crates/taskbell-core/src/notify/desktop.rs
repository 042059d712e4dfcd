//! Desktop notifications over the freedesktop D-Bus interface. One notification per task: a
//! task's new notification replaces its previous one, so a busy day does not leave a stack of
//! stale ones.
//!
//! Everything goes over one session-bus connection, made on first use and kept: the Notify
//! calls, and the ActionInvoked and NotificationClosed signals that one listener thread reads
//! (see `signals`). They must share it: a daemon may send those signals only to the connection
//! that sent the Notify (dunst does). Every call here waits on D-Bus, so it belongs on a thread
//! that may block, never on a UI thread or an async runtime's worker.

use super::signals::{self, Open};
use super::{Notification, Notifier, NotifyError};
use crate::task::TaskRef;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zbus::blocking::{connection, Connection};
use zbus::zvariant::Value;

/// Called on a notification's button: (its [`NoticeAction`](super::NoticeAction) key, the
/// task, its permalink).
pub type ActionHandler = Arc<dyn Fn(&str, &TaskRef, Option<&str>) + Send + Sync>;

pub(super) const SERVICE: &str = "org.freedesktop.Notifications";
pub(super) const PATH: &str = "/org/freedesktop/Notifications";
pub(super) const INTERFACE: &str = "org.freedesktop.Notifications";

/// D-Bus's customary reply timeout: a daemon that has not answered by then is not going to.
const CALL_TIMEOUT: Duration = Duration::from_secs(25);

pub struct DesktopNotifier {
    /// `None`: the session bus.
    address: Option<String>,
    bus: Mutex<Option<Connection>>,
    open: Arc<Open>,
    sound: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl DesktopNotifier {
    /// Connects nothing yet: the first call does.
    pub fn new(on_action: Option<ActionHandler>) -> Self {
        DesktopNotifier::at(None, on_action)
    }

    #[cfg(test)]
    pub(crate) fn on_bus(address: &str, on_action: Option<ActionHandler>) -> Self {
        DesktopNotifier::at(Some(address.to_string()), on_action)
    }

    fn at(address: Option<String>, on_action: Option<ActionHandler>) -> Self {
        DesktopNotifier {
            address,
            bus: Mutex::new(None),
            open: Arc::new(Open::new(on_action)),
            sound: true.into(),
        }
    }

    pub fn set_sound(&self, on: bool) {
        self.sound.store(on, Ordering::Relaxed);
    }

    /// Whether a notification service answers on the session bus right now (D-Bus may start one).
    pub fn available() -> bool {
        DesktopNotifier::new(None).check().is_ok()
    }

    /// Asks the notification service who it is, over this notifier's connection (making it, and
    /// starting the listener, if need be).
    pub fn check(&self) -> Result<(), NotifyError> {
        let conn = self.connection()?;
        conn.call_method(
            Some(SERVICE),
            PATH,
            Some(INTERFACE),
            "GetServerInformation",
            &(),
        )
        .map_err(call_error)?;
        Ok(())
    }

    /// The kept connection, or a new one with its listener when there is none or it was lost.
    fn connection(&self) -> Result<Connection, NotifyError> {
        let mut slot = lock(&self.bus);
        if let Some(conn) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(conn.clone());
        }
        let builder = match &self.address {
            Some(a) => connection::Builder::address(a.as_str()),
            None => connection::Builder::session(),
        };
        let conn = builder
            .and_then(|b| b.method_timeout(CALL_TIMEOUT).build())
            .map_err(|e| NotifyError::Unavailable(format!("no session bus: {e}")))?;
        signals::listen(&conn, self.open.clone()).map_err(|e| {
            NotifyError::Failed(format!("notification actions cannot be heard: {e}"))
        })?;
        *slot = Some(conn.clone());
        Ok(conn)
    }

    #[cfg(test)]
    pub(crate) fn open_count(&self) -> usize {
        self.open.len()
    }
}

/// Ends the listener with the connection it reads.
impl Drop for DesktopNotifier {
    fn drop(&mut self) {
        if let Some(conn) = lock(&self.bus).take() {
            let _ = conn.close();
        }
    }
}

fn call_error(e: zbus::Error) -> NotifyError {
    match &e {
        zbus::Error::MethodError(name, ..)
            if matches!(
                name.as_str(),
                "org.freedesktop.DBus.Error.ServiceUnknown"
                    | "org.freedesktop.DBus.Error.NameHasNoOwner"
            ) =>
        {
            NotifyError::Unavailable(e.to_string())
        }
        _ => NotifyError::Failed(e.to_string()),
    }
}

impl Notifier for DesktopNotifier {
    fn show(&self, n: &Notification) -> Result<(), NotifyError> {
        let conn = self.connection()?;
        let actions: Vec<&str> = n
            .actions
            .iter()
            .flat_map(|a| [a.key(), a.label()])
            .collect();
        let mut hints: HashMap<&str, Value<'_>> = HashMap::new();
        hints.insert("urgency", Value::U8(1));
        hints.insert("category", Value::from("im.received"));
        if self.sound.load(Ordering::Relaxed) {
            hints.insert("sound-name", Value::from("message-new-instant"));
        } else {
            hints.insert("suppress-sound", Value::Bool(true));
        }
        let replaces = self.open.id_of(&n.task).unwrap_or(0);
        // -1: the daemon's own timeout.
        let body = (
            "Taskbell",
            replaces,
            "task-due",
            n.summary.as_str(),
            n.body.as_str(),
            actions,
            hints,
            -1i32,
        );
        let reply = conn
            .call_method(Some(SERVICE), PATH, Some(INTERFACE), "Notify", &body)
            .map_err(call_error)?;
        let id: u32 = reply.body().deserialize().map_err(|e| {
            NotifyError::Failed(format!("the notification service answered oddly: {e}"))
        })?;
        self.open.shown(id, n.task.clone(), n.permalink.clone());
        Ok(())
    }
}

#[cfg(test)]
#[path = "desktop_tests.rs"]
mod tests;

//! The desktop's light or dark preference as the XDG settings portal holds it
//! (`org.freedesktop.appearance` `color-scheme`). GNOME's and KDE's dark style set it, and leave
//! the GTK 3 theme alone: WebKitGTK follows only GTK's own dark preference, so the shell turns
//! this one into that. Read once, then followed through the portal's SettingChanged signal on a
//! thread that sleeps in the D-Bus read: nothing polls.

use std::time::Duration;
use zbus::blocking::{connection, Connection, MessageIterator};
use zbus::message::{Message, Type};
use zbus::zvariant::{OwnedValue, Value};
use zbus::MatchRule;

pub const THREAD_NAME: &str = "taskbell-appearance";

const SERVICE: &str = "org.freedesktop.portal.Desktop";
const PATH: &str = "/org/freedesktop/portal/desktop";
const INTERFACE: &str = "org.freedesktop.portal.Settings";
const NAMESPACE: &str = "org.freedesktop.appearance";
const KEY: &str = "color-scheme";

/// A portal that is activated on first use may take a moment; one that never answers must not
/// keep the thread.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// What the desktop asks apps for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorScheme {
    /// The user chose nothing: the app's (here GTK's) own default stands.
    NoPreference,
    Dark,
    Light,
}

impl ColorScheme {
    /// The portal's number: 0 no preference, 1 dark, 2 light; anything else counts as none.
    pub fn from_portal(n: u32) -> ColorScheme {
        match n {
            1 => ColorScheme::Dark,
            2 => ColorScheme::Light,
            _ => ColorScheme::NoPreference,
        }
    }
}

/// The number inside a portal value: `ReadOne` answers `v`, the older `Read` a `v` in a `v`.
fn scheme_of(v: &Value<'_>) -> Option<ColorScheme> {
    match v {
        Value::U32(n) => Some(ColorScheme::from_portal(*n)),
        Value::Value(inner) => scheme_of(inner),
        _ => None,
    }
}

/// Follows the preference on the session bus (or `address`): calls `apply` with it now, then
/// with every change. Ends quietly when no portal answers; returns at once either way.
pub fn follow(
    address: Option<String>,
    apply: impl Fn(ColorScheme) + Send + 'static,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name(THREAD_NAME.into())
        .spawn(move || {
            if let Err(e) = watch(address.as_deref(), &apply) {
                tracing::debug!("the desktop's colour preference is not followed: {e}");
            }
        })
        .map(|_| ())
}

fn watch(address: Option<&str>, apply: &dyn Fn(ColorScheme)) -> zbus::Result<()> {
    let builder = match address {
        Some(a) => connection::Builder::address(a)?,
        None => connection::Builder::session()?,
    };
    let conn = builder.method_timeout(CALL_TIMEOUT).build()?;
    // Subscribed before reading, so a change between the two is not missed.
    let rule = MatchRule::builder()
        .msg_type(Type::Signal)
        .interface(INTERFACE)?
        .member("SettingChanged")?
        .path(PATH)?
        .arg(0, NAMESPACE)?
        .build();
    let changes = MessageIterator::for_match_rule(rule, &conn, Some(16))?;
    apply(read(&conn)?);
    for m in changes {
        if let Some(scheme) = changed(&m?) {
            apply(scheme);
        }
    }
    Ok(())
}

fn read(conn: &Connection) -> zbus::Result<ColorScheme> {
    let one = conn.call_method(
        Some(SERVICE),
        PATH,
        Some(INTERFACE),
        "ReadOne",
        &(NAMESPACE, KEY),
    );
    let reply = match one {
        Ok(r) => r,
        // Portals before version 2 have only Read.
        Err(zbus::Error::MethodError(name, ..)) if name.as_str().ends_with("UnknownMethod") => conn
            .call_method(
                Some(SERVICE),
                PATH,
                Some(INTERFACE),
                "Read",
                &(NAMESPACE, KEY),
            )?,
        Err(e) => return Err(e),
    };
    let v: OwnedValue = reply.body().deserialize()?;
    Ok(scheme_of(&v).unwrap_or(ColorScheme::NoPreference))
}

fn changed(m: &Message) -> Option<ColorScheme> {
    let (namespace, key, value): (String, String, OwnedValue) = m.body().deserialize().ok()?;
    (namespace == NAMESPACE && key == KEY)
        .then(|| scheme_of(&value))
        .flatten()
}

#[cfg(test)]
mod tests;

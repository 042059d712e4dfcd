//! Following the portal's colour preference against a stand-in portal on a private bus: the
//! value now, a change, an older portal that has only `Read`, and no portal at all.

use super::*;
use crate::notify::fake_daemon::{private_bus_or_skip, stand_in, PrivateBus};
use std::sync::mpsc;

const PATIENCE: Duration = Duration::from_secs(10);

/// A settings portal holding `color-scheme`, answering as version 2 (`ReadOne`) or only as
/// version 1 (`Read`, the value in a second variant).
struct FakePortal {
    conn: Connection,
}

impl FakePortal {
    fn start(bus: &PrivateBus, scheme: u32, version: u32) -> FakePortal {
        let (conn, calls) = stand_in(bus, SERVICE, INTERFACE);
        let c = conn.clone();
        std::thread::spawn(move || {
            for m in calls.flatten() {
                let header = m.header();
                let _ = match header.member().map(|n| n.as_str()) {
                    Some("ReadOne") if version >= 2 => c.reply(&header, &(Value::U32(scheme),)),
                    Some("Read") => c.reply(&header, &(Value::new(Value::U32(scheme)),)),
                    _ => c.reply_error(
                        &header,
                        "org.freedesktop.DBus.Error.UnknownMethod",
                        &"not in this version",
                    ),
                };
            }
        });
        FakePortal { conn }
    }

    fn change(&self, namespace: &str, key: &str, scheme: u32) {
        self.conn
            .emit_signal(
                None::<&str>,
                PATH,
                INTERFACE,
                "SettingChanged",
                &(namespace, key, Value::U32(scheme)),
            )
            .expect("sent");
    }
}

fn followed(bus: &PrivateBus) -> mpsc::Receiver<ColorScheme> {
    let (tx, rx) = mpsc::channel();
    let tx = std::sync::Mutex::new(tx);
    follow(Some(bus.address().to_string()), move |s| {
        let _ = tx.lock().map(|t| t.send(s));
    })
    .expect("the thread starts");
    rx
}

#[test]
fn the_preference_is_applied_now_and_again_when_it_changes() {
    let bus = private_bus_or_skip!("the_preference_is_applied_now_and_again_when_it_changes");
    let portal = FakePortal::start(&bus, 1, 2);
    let seen = followed(&bus);
    assert_eq!(seen.recv_timeout(PATIENCE), Ok(ColorScheme::Dark));
    // Another setting, then the one followed: only the second is applied.
    portal.change("org.gnome.desktop.interface", KEY, 0);
    portal.change(NAMESPACE, "accent-color", 0);
    portal.change(NAMESPACE, KEY, 2);
    assert_eq!(seen.recv_timeout(PATIENCE), Ok(ColorScheme::Light));
    portal.change(NAMESPACE, KEY, 0);
    assert_eq!(seen.recv_timeout(PATIENCE), Ok(ColorScheme::NoPreference));
}

#[test]
fn an_older_portal_is_read_with_read() {
    let bus = private_bus_or_skip!("an_older_portal_is_read_with_read");
    let _portal = FakePortal::start(&bus, 1, 1);
    assert_eq!(followed(&bus).recv_timeout(PATIENCE), Ok(ColorScheme::Dark));
}

#[test]
fn without_a_portal_nothing_is_applied_and_the_watch_ends() {
    let bus = private_bus_or_skip!("without_a_portal_nothing_is_applied_and_the_watch_ends");
    let applied = std::cell::Cell::new(0);
    let ended = watch(Some(bus.address()), &|_| applied.set(applied.get() + 1));
    assert!(ended.is_err(), "a bus without a portal gives an error");
    assert_eq!(applied.get(), 0);
}

#[test]
fn reads_the_portals_numbers() {
    assert_eq!(ColorScheme::from_portal(0), ColorScheme::NoPreference);
    assert_eq!(ColorScheme::from_portal(1), ColorScheme::Dark);
    assert_eq!(ColorScheme::from_portal(2), ColorScheme::Light);
    assert_eq!(ColorScheme::from_portal(7), ColorScheme::NoPreference);
    assert_eq!(
        scheme_of(&Value::new(Value::U32(1))),
        Some(ColorScheme::Dark)
    );
    assert_eq!(scheme_of(&Value::Str("dark".into())), None);
}

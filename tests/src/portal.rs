//! A stand-in for the XDG desktop portal's Settings on the test's bus, holding the desktop's
//! colour preference (`org.freedesktop.appearance` `color-scheme`: 0 none, 1 dark, 2 light) and
//! announcing a change the way the portal does, with SettingChanged. Served on the test's own
//! runtime, so it ends with the test.

use crate::bus::PrivateBus;
use anyhow::{Context, Result};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use zbus::zvariant::{OwnedValue, Value};
use zbus::Connection;

const SERVICE: &str = "org.freedesktop.portal.Desktop";
const PATH: &str = "/org/freedesktop/portal/desktop";
const INTERFACE: &str = "org.freedesktop.portal.Settings";
const NAMESPACE: &str = "org.freedesktop.appearance";
const KEY: &str = "color-scheme";

struct Settings {
    scheme: Arc<AtomicU32>,
}

#[zbus::interface(name = "org.freedesktop.portal.Settings")]
impl Settings {
    async fn read_one(&self, namespace: &str, key: &str) -> zbus::fdo::Result<OwnedValue> {
        if namespace == NAMESPACE && key == KEY {
            Ok(OwnedValue::from(self.scheme.load(Ordering::SeqCst)))
        } else {
            Err(zbus::fdo::Error::Failed(format!(
                "only {NAMESPACE} {KEY} is held here, not {namespace} {key}"
            )))
        }
    }
}

pub struct SettingsPortal {
    conn: Connection,
    scheme: Arc<AtomicU32>,
}

impl SettingsPortal {
    pub async fn start(bus: &PrivateBus, scheme: u32) -> Result<SettingsPortal> {
        let scheme = Arc::new(AtomicU32::new(scheme));
        let served = Settings {
            scheme: scheme.clone(),
        };
        let conn = zbus::connection::Builder::address(bus.address())?
            .name(SERVICE)?
            .serve_at(PATH, served)?
            .build()
            .await
            .context("the stand-in portal connects to the test's bus and takes its name")?;
        Ok(SettingsPortal { conn, scheme })
    }

    /// The user switches the desktop's style.
    pub async fn set(&self, scheme: u32) -> Result<()> {
        self.scheme.store(scheme, Ordering::SeqCst);
        self.conn
            .emit_signal(
                None::<&str>,
                PATH,
                INTERFACE,
                "SettingChanged",
                &(NAMESPACE, KEY, Value::U32(scheme)),
            )
            .await
            .context("announcing the change")
    }
}

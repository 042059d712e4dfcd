//! Capturing the calls made to the notification service, and its answers, with `dbus-monitor`
//! on the test's bus, as a person checking "did it really send that?" would. The answers give
//! each Notify its notification id, which a test needs to press that notification's buttons.
//! The raw capture is also written to the test's artifacts.
//!
//! To know the capture is current, the test sends a marker of its own (a CloseNotification for
//! an id no notification has) and waits until the monitor shows it: the bus hands messages to
//! the monitor in the order it routes them, and the app's Notify is a blocking call, so once
//! the marker sent after it is seen, so is every Notify that was answered before.

use crate::bus::{PrivateBus, NOTIFICATIONS};
use crate::monitor_parse::{messages, notify_calls, NotifyCall};
use crate::process::{self, Proc};
use crate::wait::{until, until_sync, Look, PATIENCE};
use anyhow::{Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Marker ids start high so they cannot be a real notification's.
static NEXT_MARKER: AtomicU32 = AtomicU32::new(4_000_000_000);

pub struct NotifyMonitor {
    text: Arc<Mutex<String>>,
    _proc: Proc,
}

impl NotifyMonitor {
    /// Starts dbus-monitor on `bus`, copying what it prints to `log`, and returns once it is
    /// seeing calls (needs a notification service on the bus to answer the marker).
    pub fn start(bus: &PrivateBus, log: &Path) -> Result<NotifyMonitor> {
        let mut cmd = bus.command("dbus-monitor");
        cmd.args([
            "--session",
            "type=method_call,interface=org.freedesktop.Notifications",
            // Only the service's answers: a return carries no interface to match on, and every
            // answer on the bus would bury these under the tray's menu layouts.
            "type=method_return,sender=org.freedesktop.Notifications",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        let mut proc = process::spawn("dbus-monitor", &mut cmd)?;
        let stdout = proc
            .child_mut()
            .stdout
            .take()
            .context("dbus-monitor's stdout was not captured")?;
        let mut file =
            std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let text = Arc::new(Mutex::new(String::new()));
        let sink = text.clone();
        // A reader thread rather than the runtime: the pipe is read until dbus-monitor exits.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = writeln!(file, "{line}");
                let mut t = sink.lock().unwrap_or_else(|p| p.into_inner());
                t.push_str(&line);
                t.push('\n');
            }
        });
        let monitor = NotifyMonitor { text, _proc: proc };
        monitor
            .sync(bus)
            .context("dbus-monitor did not start seeing calls")?;
        Ok(monitor)
    }

    pub fn text(&self) -> String {
        self.text.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn notify_calls(&self) -> Vec<NotifyCall> {
        notify_calls(&self.text())
    }

    /// Sends a marker and waits until the capture shows it.
    pub fn sync(&self, bus: &PrivateBus) -> Result<()> {
        let id = NEXT_MARKER.fetch_add(1, Ordering::Relaxed);
        let marker = format!("uint32 {id}");
        until_sync("dbus-monitor to show the marker call", PATIENCE, || {
            // Re-sent on each look: the first may predate the monitor's match rule.
            bus.call(
                NOTIFICATIONS,
                "/org/freedesktop/Notifications",
                "org.freedesktop.Notifications.CloseNotification",
                &[&format!("uint32 {id}")],
            )
            .ok();
            let seen = messages(&self.text()).iter().any(|m| {
                m.member == "CloseNotification"
                    && m.args.first().and_then(|a| a.as_int()) == Some(i64::from(id))
            });
            Ok(if seen {
                Look::Done(())
            } else {
                Look::NotYet(format!("no CloseNotification {marker} in the capture"))
            })
        })
    }

    /// Waits for a Notify call that `pick` accepts, and returns it (its id may not be known yet:
    /// see `wait_for_shown`).
    pub async fn wait_for(
        &self,
        what: &str,
        pick: impl Fn(&NotifyCall) -> bool,
    ) -> Result<NotifyCall> {
        self.wait_for_first(what, pick, |_| true).await
    }

    /// Waits for a Notify call that `pick` accepts and the daemon has answered, and returns it
    /// with the id the daemon gave the notification.
    pub async fn wait_for_shown(
        &self,
        what: &str,
        pick: impl Fn(&NotifyCall) -> bool,
    ) -> Result<(NotifyCall, u32)> {
        let call = self.wait_for_first(what, pick, |c| c.id.is_some()).await?;
        let id = call.id.context("a shown Notify without an id")?;
        Ok((call, id))
    }

    /// Waits until the first call `pick` accepts is `ready`. Always the first: the capture only
    /// grows, so it stays the same call between looks.
    async fn wait_for_first(
        &self,
        what: &str,
        pick: impl Fn(&NotifyCall) -> bool,
        ready: impl Fn(&NotifyCall) -> bool,
    ) -> Result<NotifyCall> {
        until(what, PATIENCE, || {
            let calls = self.notify_calls();
            let found = match calls.iter().find(|c| pick(c)) {
                Some(c) if ready(c) => Look::Done(c.clone()),
                Some(c) => Look::NotYet(format!("the Notify {:?}, not answered yet", c.summary)),
                None => Look::NotYet(format!(
                    "{} Notify call(s): {:?}",
                    calls.len(),
                    calls.iter().map(|c| &c.summary).collect::<Vec<_>>()
                )),
            };
            async move { Ok(found) }
        })
        .await
    }
}

//! The Notify calls on the session bus, as `dbus-monitor` sees them, with the time it stamps on
//! each (its `time=` header: the wall clock when the bus handed it the message). The arguments
//! are kept as printed: the benchmark only looks for the unique text it put in each task's
//! description, which the notification body starts with.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const NOTIFICATIONS: &str = "org.freedesktop.Notifications";
/// No notification has an id this high, so closing it is a harmless marker.
const MARKER_ID: u32 = 4_000_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub member: String,
    /// Unix time in seconds.
    pub time: f64,
    pub args: String,
}

/// Folds dbus-monitor's lines into calls: a header line at column 0, then its arguments.
#[derive(Default)]
pub struct Parser {
    pub calls: Vec<Call>,
}

impl Parser {
    pub fn line(&mut self, line: &str) {
        if let Some(header) = line.strip_prefix("method call ") {
            let field = |name: &str| {
                header
                    .split([' ', ';'])
                    .find_map(|p| p.strip_prefix(name).and_then(|r| r.strip_prefix('=')))
                    .unwrap_or("")
                    .to_string()
            };
            let time = field("time").parse().unwrap_or(f64::NAN);
            self.calls.push(Call {
                member: field("member"),
                time,
                args: String::new(),
            });
        } else if ["method return ", "signal ", "error "]
            .iter()
            .any(|h| line.starts_with(h))
        {
            // Not a call: whatever follows is not the last call's arguments.
            self.calls.push(Call {
                member: String::new(),
                time: f64::NAN,
                args: String::new(),
            });
        } else if let Some(c) = self.calls.last_mut() {
            c.args.push_str(line);
            c.args.push('\n');
        }
    }
}

pub struct Monitor {
    child: Child,
    parser: Arc<Mutex<Parser>>,
}

impl Monitor {
    pub fn start() -> Result<Monitor> {
        let mut child = Command::new("dbus-monitor")
            .args([
                "--session",
                "type=method_call,interface=org.freedesktop.Notifications",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting dbus-monitor (package dbus)")?;
        let stdout = child
            .stdout
            .take()
            .context("dbus-monitor's stdout was not captured")?;
        let parser = Arc::new(Mutex::new(Parser::default()));
        let sink = parser.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap_or_else(|p| p.into_inner()).line(&line);
            }
        });
        let m = Monitor { child, parser };
        m.sync()
            .context("dbus-monitor did not start seeing calls to the notification service")?;
        Ok(m)
    }

    pub fn calls(&self, member: &str) -> Vec<Call> {
        let p = self.parser.lock().unwrap_or_else(|p| p.into_inner());
        p.calls
            .iter()
            .filter(|c| c.member == member)
            .cloned()
            .collect()
    }

    /// Closes the marker id until the capture shows it: then the monitor is listening (the first
    /// marker may come before its match rule is in place).
    fn sync(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            close_marker()?;
            std::thread::sleep(Duration::from_millis(100));
            if !self.calls("CloseNotification").is_empty() {
                return Ok(());
            }
        }
        bail!("no CloseNotification in the capture after 20 s")
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Also starts the notification daemon when D-Bus activates it on first use (dunst here), so
/// nothing measured pays for that.
pub fn close_marker() -> Result<()> {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            &format!("--dest={NOTIFICATIONS}"),
            "/org/freedesktop/Notifications",
            "org.freedesktop.Notifications.CloseNotification",
            &format!("uint32:{MARKER_ID}"),
        ])
        .stdout(Stdio::null())
        .output()
        .context("running dbus-send (package dbus)")?;
    if !out.status.success() {
        bail!(
            "no notification service answers on the session bus: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_carry_their_time_and_arguments() {
        let capture = "\
signal time=1.0 sender=org.freedesktop.DBus -> destination=:1.9 serial=2 path=/org/freedesktop/DBus; interface=org.freedesktop.DBus; member=NameAcquired
   string \":1.9\"
method call time=1764000000.250001 sender=:1.7 -> destination=org.freedesktop.Notifications serial=9 path=/org/freedesktop/Notifications; interface=org.freedesktop.Notifications; member=Notify
   string \"Taskbell\"
   uint32 0
   string \"Task completed\"
   string \"Bench 1a2b #007 call the pharmacy
Assigned to Nora Johnson\"
method return time=1764000000.251 sender=:1.3 -> destination=:1.7 serial=4 reply_serial=9
   uint32 12
";
        let mut p = Parser::default();
        capture.lines().for_each(|l| p.line(l));
        let notify: Vec<_> = p.calls.iter().filter(|c| c.member == "Notify").collect();
        assert_eq!(notify.len(), 1);
        assert!((notify[0].time - 1_764_000_000.250001).abs() < 1e-6);
        assert!(notify[0].args.contains("Bench 1a2b #007"));
        assert!(
            !notify[0].args.contains("uint32 12"),
            "the reply is not part of the call"
        );
    }
}

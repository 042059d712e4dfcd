//! A private D-Bus session bus per test, and the `gdbus` calls the tests make on it.
//!
//! Each test gets its own bus rather than sharing the runner's: the app claims a single-instance
//! name (a second app on one bus would hand over to the first and exit), notification captures
//! must not see another test's app, and the no-daemon test needs a bus on which
//! org.freedesktop.Notifications cannot be activated. The bus's service directory is empty, so
//! nothing is started behind a test's back; a test that wants dunst starts it.

use crate::gvariant::{self, Value};
use crate::process::{self, Proc};
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

pub const NOTIFICATIONS: &str = "org.freedesktop.Notifications";

/// gdbus's own default is 25 s; a bus on a loaded machine answers well within this, and a peer
/// that never answers should not stall a test for longer.
const CALL_TIMEOUT_SECS: &str = "10";

pub struct PrivateBus {
    address: String,
    // Kept for its drop: stops the daemon.
    _daemon: Proc,
}

impl PrivateBus {
    /// Starts `dbus-daemon` with a session config under `dir` whose service directory is empty.
    pub fn start(dir: &Path) -> Result<PrivateBus> {
        let services = dir.join("services");
        std::fs::create_dir_all(&services)
            .with_context(|| format!("creating {}", services.display()))?;
        let config = dir.join("session.conf");
        std::fs::write(&config, config_xml(dir, &services))
            .with_context(|| format!("writing {}", config.display()))?;
        let mut cmd = Command::new("dbus-daemon");
        cmd.arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut daemon = process::spawn("dbus-daemon", &mut cmd)?;
        let stdout = daemon
            .child_mut()
            .stdout
            .take()
            .context("dbus-daemon's stdout was not captured")?;
        let mut line = String::new();
        // The daemon prints its address once it listens, or exits (closing the pipe) if it cannot.
        BufReader::new(stdout)
            .read_line(&mut line)
            .context("reading the bus address from dbus-daemon")?;
        let address = line.trim().to_string();
        if address.is_empty() {
            bail!(
                "dbus-daemon exited without printing an address (config {})",
                config.display()
            );
        }
        Ok(PrivateBus {
            address,
            _daemon: daemon,
        })
    }

    pub fn address(&self) -> &str {
        &self.address
    }

    /// A command whose session bus is this one.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.address);
        cmd
    }

    /// `gdbus call` on this bus; the answer parsed.
    pub fn call(&self, dest: &str, path: &str, method: &str, args: &[&str]) -> Result<Value> {
        let mut cmd = self.command("gdbus");
        cmd.args([
            "call",
            "--session",
            "--timeout",
            CALL_TIMEOUT_SECS,
            "--dest",
            dest,
            "--object-path",
            path,
            "--method",
            method,
        ]);
        // `--` so that arguments such as -1 are not read as options.
        cmd.arg("--").args(args);
        let text = process::output(&mut cmd)?;
        gvariant::parse(&text).with_context(|| format!("the answer to {method} on {dest}"))
    }

    fn bus_call(&self, method: &str, args: &[&str]) -> Result<Value> {
        self.call(
            "org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            &format!("org.freedesktop.DBus.{method}"),
            args,
        )
    }

    pub fn names(&self) -> Result<Vec<String>> {
        strings_of(&self.bus_call("ListNames", &[])?)
    }

    pub fn activatable_names(&self) -> Result<Vec<String>> {
        strings_of(&self.bus_call("ListActivatableNames", &[])?)
    }

    pub fn has_owner(&self, name: &str) -> Result<bool> {
        let v = self.bus_call("NameHasOwner", &[name])?;
        first(&v)?
            .as_bool()
            .context("NameHasOwner did not answer a boolean")
    }

    /// The process behind a bus name (well-known or unique).
    pub fn pid_of(&self, name: &str) -> Result<u32> {
        let v = self.bus_call("GetConnectionUnixProcessID", &[name])?;
        let pid = first(&v)?
            .as_int()
            .context("GetConnectionUnixProcessID did not answer a number")?;
        u32::try_from(pid).context("a process id out of range")
    }

    /// The introspection XML of `path` on `dest`.
    pub fn introspect(&self, dest: &str, path: &str) -> Result<String> {
        let v = self.call(
            dest,
            path,
            "org.freedesktop.DBus.Introspectable.Introspect",
            &[],
        )?;
        Ok(first(&v)?
            .as_str()
            .context("Introspect did not answer a string")?
            .to_string())
    }
}

/// The first item of a method's answer tuple.
pub fn first(v: &Value) -> Result<&Value> {
    v.items()
        .and_then(<[Value]>::first)
        .context("an empty answer")
}

fn strings_of(v: &Value) -> Result<Vec<String>> {
    let items = first(v)?.items().context("expected an array of names")?;
    Ok(items
        .iter()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect())
}

/// Child node names in introspection XML (`<node name="x"/>`); enough for the tray's objects,
/// whose XML gdbus itself produces.
pub fn child_nodes(xml: &str) -> Vec<String> {
    xml.split("<node name=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

fn config_xml(dir: &Path, services: &Path) -> String {
    // Open as a desktop session bus is: anyone may own names and call anyone. Eavesdropping is
    // allowed for a dbus-monitor old enough to fall back to it instead of BecomeMonitor.
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={dir}</listen>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
        dir = dir.display(),
        services = services.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_child_nodes_in_introspection_xml() {
        let xml = "<node>\n  <interface name=\"org.freedesktop.DBus.Introspectable\"/>\n  <node name=\"tray_icon_tray_app_main\"/>\n  <node name=\"other\"/>\n</node>\n";
        assert_eq!(child_nodes(xml), vec!["tray_icon_tray_app_main", "other"]);
        assert!(child_nodes("<node/>").is_empty());
    }
}

//! One test's surroundings: a temp dir for the app's data and XDG homes, a private session bus,
//! and, when the test wants notifications, dunst with a dbus-monitor capture. Dropped in
//! reverse order of what depends on what: capture, daemon, bus, files.

use crate::artifacts::Artifacts;
use crate::bus::PrivateBus;
use crate::dunst::Dunst;
use crate::monitor::NotifyMonitor;
use crate::prerequisites::{self, Prerequisites};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The sandbox's simulated staff finish a task this long after it is created: short enough for
/// a quick test, long enough that a new task is first seen open.
pub const STAFF_DELAY_SECS: &str = "3";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notifications {
    /// dunst owns org.freedesktop.Notifications, and Notify calls are captured.
    Dunst,
    /// Nothing provides notifications, and nothing can be activated to.
    Absent,
}

pub struct World {
    pub artifacts: Artifacts,
    pub app_path: PathBuf,
    pub monitor: Option<NotifyMonitor>,
    _dunst: Option<Dunst>,
    pub bus: PrivateBus,
    tmp: TempDir,
}

impl World {
    pub fn new(test: &str, notifications: Notifications) -> Result<World> {
        let Prerequisites {
            app,
            artifacts_root,
        } = prerequisites::check()?;
        let artifacts = Artifacts::for_test(&artifacts_root, test)?;
        // TASKBELL_E2E_KEEP=1 keeps the app's database and settings for a look after the run.
        let keep = std::env::var("TASKBELL_E2E_KEEP").is_ok_and(|v| v == "1");
        let tmp = tempfile::Builder::new()
            .prefix("taskbell-e2e-")
            .disable_cleanup(keep)
            .tempdir()
            .context("creating a temp dir")?;
        if keep {
            eprintln!("keeping {}", tmp.path().display());
        }
        for sub in [
            "bus",
            "data",
            "xdg/config",
            "xdg/data",
            "xdg/cache",
            "dunst",
        ] {
            std::fs::create_dir_all(tmp.path().join(sub))?;
        }
        let bus = PrivateBus::start(&tmp.path().join("bus"))?;
        let (dunst, monitor) = match notifications {
            Notifications::Dunst => {
                let d = Dunst::start(
                    &bus,
                    &tmp.path().join("dunst"),
                    &artifacts.path("dunst.log"),
                )?;
                let m = NotifyMonitor::start(&bus, &artifacts.path("dbus-monitor.txt"))?;
                (Some(d), Some(m))
            }
            Notifications::Absent => (None, None),
        };
        Ok(World {
            artifacts,
            app_path: app,
            monitor,
            _dunst: dunst,
            bus,
            tmp,
        })
    }

    pub fn monitor(&self) -> Result<&NotifyMonitor> {
        self.monitor
            .as_ref()
            .context("this test runs without a notification daemon, so there is no capture")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.tmp.path().join("data")
    }

    /// The app's environment: this test's bus and data dir, sandbox mode (a fresh data dir has
    /// no settings), a short staff delay, no work handed out, and XDG homes of its own so WebKit's storage and any
    /// autostart file stay inside the test.
    pub fn app_env(&self) -> Vec<(String, String)> {
        let t = self.tmp.path();
        let p = |sub: &str| t.join(sub).display().to_string();
        vec![
            (
                "DBUS_SESSION_BUS_ADDRESS".into(),
                self.bus.address().to_string(),
            ),
            ("TASKBELL_DATA_DIR".into(), p("data")),
            ("TASKBELL_STAFF_DELAY_SECS".into(), STAFF_DELAY_SECS.into()),
            // No work handed out unless a test asks: it would notify in the middle of others.
            ("TASKBELL_SANDBOX_PACE_SECS".into(), "0".into()),
            ("XDG_CONFIG_HOME".into(), p("xdg/config")),
            ("XDG_DATA_HOME".into(), p("xdg/data")),
            ("XDG_CACHE_HOME".into(), p("xdg/cache")),
            // The test's bus has no accessibility bus to offer; GTK would otherwise ask for one.
            ("NO_AT_BRIDGE".into(), "1".into()),
            // What the log checks read is logged at info; a developer's RUST_LOG must not hide it.
            ("RUST_LOG".into(), "info".into()),
        ]
    }

    /// A script that starts the app with `app_env` and `extra`, its output appended to the
    /// artifacts' app.log and its pid in `app.pid`. WebDriver launches this instead of the
    /// binary: that keeps the app's log (WebKitWebDriver drops it) and names its pid (it keeps
    /// it across exec).
    pub fn launcher(&self, extra: &[(&str, &str)]) -> Result<(PathBuf, PathBuf)> {
        let script = self.tmp.path().join("launch-taskbell.sh");
        let pid_file = self.tmp.path().join("app.pid");
        let mut text = String::from("#!/bin/sh\n");
        let extra = extra.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        for (k, v) in self.app_env().into_iter().chain(extra) {
            text.push_str(&format!("export {k}={}\n", shell_quote(&v)));
        }
        text.push_str(&format!(
            "echo $$ > {}\n",
            shell_quote(&pid_file.display().to_string())
        ));
        text.push_str(&format!(
            "exec {} \"$@\" >> {} 2>&1\n",
            shell_quote(&self.app_path.display().to_string()),
            shell_quote(&self.app_log().display().to_string())
        ));
        std::fs::write(&script, text).with_context(|| format!("writing {}", script.display()))?;
        set_executable(&script)?;
        Ok((script, pid_file))
    }

    pub fn app_log(&self) -> PathBuf {
        self.artifacts.path("app.log")
    }

    pub fn tmp(&self) -> &Path {
        self.tmp.path()
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn set_executable(p: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755))
        .with_context(|| format!("chmod {}", p.display()))
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn quotes_for_sh() {
        assert_eq!(shell_quote("/tmp/a b"), "'/tmp/a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}

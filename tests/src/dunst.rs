//! A real notification daemon on the test's bus. Started by hand rather than by D-Bus
//! activation, because the test's bus activates nothing (see bus.rs), and waited for by its
//! bus name so the app's first notification cannot race its start.

use crate::bus::{PrivateBus, NOTIFICATIONS};
use crate::process::{self, Proc};
use crate::wait::{until_sync, Look, PATIENCE};
use anyhow::Result;
use std::path::Path;
use std::process::Stdio;

pub struct Dunst {
    _proc: Proc,
}

impl Dunst {
    /// Starts dunst with its output in `log`, and returns once it owns the notification name.
    pub fn start(bus: &PrivateBus, home: &Path, log: &Path) -> Result<Dunst> {
        let out = std::fs::File::create(log)?;
        let mut cmd = bus.command("dunst");
        // Its own config home, so a developer's dunstrc (scripts, rules) cannot change a run.
        cmd.env("XDG_CONFIG_HOME", home)
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        let mut proc = process::spawn("dunst", &mut cmd)?;
        until_sync(
            "dunst to own org.freedesktop.Notifications",
            PATIENCE,
            || {
                if let Some(status) = proc.try_wait()? {
                    anyhow::bail!("dunst exited ({status}); see {}", log.display());
                }
                Ok(if bus.has_owner(NOTIFICATIONS)? {
                    Look::Done(())
                } else {
                    Look::NotYet("no owner yet".into())
                })
            },
        )?;
        Ok(Dunst { _proc: proc })
    }
}

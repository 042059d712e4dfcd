//! A real notification daemon on the test's bus. Started by hand rather than by D-Bus
//! activation, because the test's bus activates nothing (see bus.rs), and waited for by its
//! bus name so the app's first notification cannot race its start. A notification's button is
//! pressed as dunst reports a press: with an ActionInvoked signal.

use crate::bus::{PrivateBus, NOTIFICATIONS};
use crate::process::{self, Proc};
use crate::wait::{until_sync, Look, PATIENCE};
use anyhow::Result;
use std::path::Path;
use std::process::Stdio;

/// Every urgency's popup stays until it is closed, as for a user who has not looked yet.
/// dunst's default closes one after 10 s and says so, and the app then forgets its buttons: a
/// test that presses one a little later would find it gone.
const DUNSTRC: &str =
    "[urgency_low]\ntimeout = 0\n[urgency_normal]\ntimeout = 0\n[urgency_critical]\ntimeout = 0\n";

pub struct Dunst {
    _proc: Proc,
}

impl Dunst {
    /// Starts dunst with its output in `log`, and returns once it owns the notification name.
    pub fn start(bus: &PrivateBus, home: &Path, log: &Path) -> Result<Dunst> {
        let config = home.join("dunst");
        std::fs::create_dir_all(&config)?;
        std::fs::write(config.join("dunstrc"), DUNSTRC)?;
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

/// Presses button `action` of notification `id`: the ActionInvoked signal a daemon emits when
/// the user does. Sent from a connection of its own, which the app must accept: daemons differ
/// in whether they address the signal to the app or broadcast it.
pub fn press(bus: &PrivateBus, id: u32, action: &str) -> Result<()> {
    // Action keys are plain words; anything else would need GVariant string escaping.
    if !action
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        anyhow::bail!("an action key {action:?} that is not a plain word");
    }
    let mut cmd = bus.command("gdbus");
    cmd.args([
        "emit",
        "--session",
        "--object-path",
        "/org/freedesktop/Notifications",
        "--signal",
        "org.freedesktop.Notifications.ActionInvoked",
        "--",
    ])
    // Typed: gdbus would read a bare number as int32, and the signal's id is a uint32.
    .arg(format!("uint32 {id}"))
    .arg(format!("'{action}'"));
    process::output(&mut cmd)?;
    Ok(())
}

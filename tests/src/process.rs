//! Child processes that end with the test: each is stopped with SIGTERM when its guard drops
//! (SIGTERM, not SIGKILL, so tauri-driver can take WebKitWebDriver down with it), and is asked
//! by the kernel to get SIGTERM if the test process dies first, so a test killed by a timeout
//! leaves no daemons behind.

use anyhow::{Context, Result};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// How long a stopped child is given to exit before it is left alone (and reported).
const STOP_GRACE: Duration = Duration::from_secs(10);

pub struct Proc {
    name: String,
    child: Child,
}

/// Starts `cmd`, to be stopped when the returned guard drops.
///
/// Call this from the test's own thread: the kernel ties the death signal to the thread that
/// forked, so a child started from a short-lived worker thread would be signalled when that
/// thread ends.
pub fn spawn(name: &str, cmd: &mut Command) -> Result<Proc> {
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd
        .spawn()
        .with_context(|| format!("could not start {name} ({cmd:?})"))?;
    Ok(Proc {
        name: name.to_string(),
        child,
    })
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn child_mut(&mut self) -> &mut Child {
        &mut self.child
    }

    /// The exit status if it has exited.
    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>> {
        self.child
            .try_wait()
            .with_context(|| format!("checking on {}", self.name))
    }

    /// Waits up to `timeout` for it to exit by itself.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Result<Option<ExitStatus>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(Some(status));
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM, then waits for it; the status, or `None` if it outlived the grace period.
    pub fn stop(&mut self) -> Option<ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        terminate(self.child.id());
        match self.wait_timeout(STOP_GRACE) {
            Ok(Some(status)) => Some(status),
            _ => {
                eprintln!(
                    "{} (pid {}) did not exit within {:?} of SIGTERM",
                    self.name,
                    self.child.id(),
                    STOP_GRACE
                );
                None
            }
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends SIGTERM to one process by its id.
pub fn terminate(pid: u32) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) with a specific positive pid; a pid that is gone just fails.
        unsafe {
            libc::kill(pid, libc::SIGTERM);
        }
    }
}

/// Whether `pid` is a live process (not gone, not a zombie awaiting its parent).
pub fn is_alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state is the first field after the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|s| s != "Z" && s != "X"),
        Err(_) => false,
    }
}

/// Runs a short command to completion and returns its stdout; a failure carries its stderr.
pub fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("could not run {cmd:?}"))?;
    if !out.status.success() {
        anyhow::bail!(
            "{cmd:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    String::from_utf8(out.stdout).with_context(|| format!("{cmd:?} printed text that is not UTF-8"))
}

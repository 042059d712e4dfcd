//! Starting and stopping the two apps measured: Taskbell and the floor app, each in a process
//! group of its own so stopping one stops its WebKit helpers too. Both say "tray ready" on stdout
//! once their tray exists (the floor app prints it, Taskbell logs it at info); everything else
//! they print goes to a log beside their data.

use crate::procs;
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const TRAY_READY: &str = "tray ready";

/// Taskbell's log line, as tracing writes it (with no colour, stdout being a pipe), less its
/// timestamp: `2026-05-04T10:00:00.123456Z  INFO taskbell_app::tray: tray ready`.
const TASKBELL_TRAY_READY: &str = "INFO taskbell_app::tray: tray ready";

/// Whether `line` of `which`'s output says its tray exists.
pub fn says_tray_ready(which: Which, line: &str) -> bool {
    let line = line.trim();
    match which {
        Which::Floor => line == TRAY_READY,
        Which::Taskbell => line.ends_with(TASKBELL_TRAY_READY),
    }
}

/// Longer than any launch should take; a launch that never gets there is a failure, not a figure.
const READY_PATIENCE: Duration = Duration::from_secs(30);
const STOP_PATIENCE: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Taskbell,
    Floor,
}

impl Which {
    pub fn name(self) -> &'static str {
        match self {
            Which::Taskbell => "Taskbell",
            Which::Floor => "floor app",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Which::Taskbell => "taskbell",
            Which::Floor => "floor",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Open,
    TrayOnly,
}

impl Window {
    pub fn name(self) -> &'static str {
        match self {
            Window::Open => "window open",
            Window::TrayOnly => "tray only",
        }
    }
}

/// Where the release binaries are: beside this one, which cargo built into the same target.
pub struct Binaries {
    pub taskbell: PathBuf,
    pub floor: PathBuf,
    /// `taskbell-cli`, for a sandbox that runs as a process of its own.
    pub cli: PathBuf,
}

impl Binaries {
    pub fn beside_this_one() -> Result<Binaries> {
        let exe = std::env::current_exe().context("finding this benchmark's own path")?;
        let dir = exe
            .parent()
            .context("this benchmark's path has no directory")?;
        let b = Binaries {
            taskbell: dir.join("taskbell"),
            floor: dir.join("floor-app"),
            cli: dir.join("taskbell-cli"),
        };
        for p in [&b.taskbell, &b.floor, &b.cli] {
            if !p.exists() {
                bail!("{} is missing: build it first (make bench-desktop does: cargo build --release -p taskbell -p taskbell-floor-app -p taskbell-cli)", p.display());
            }
        }
        Ok(b)
    }

    fn path(&self, which: Which) -> &Path {
        match which {
            Which::Taskbell => &self.taskbell,
            Which::Floor => &self.floor,
        }
    }
}

pub struct Running {
    pub which: Which,
    child: Child,
    ready: mpsc::Receiver<Instant>,
    pub started: Instant,
    pub log: PathBuf,
}

/// Starts `which` with `dir` as its data directory (created fresh by the caller) and its output
/// in `dir`/app.log.
pub fn start(bins: &Binaries, which: Which, window: Window, dir: &Path) -> Result<Running> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let log = dir.join("app.log");
    // XDG homes shared by every launch of the run, as a user's are, but not the real ones:
    // WebKit's caches and the apps' own files stay inside the run.
    let home = dir.parent().unwrap_or(dir).join("xdg");
    let mut cmd = Command::new(bins.path(which));
    for (var, sub) in [
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
    ] {
        cmd.env(var, home.join(sub));
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?)
        .env_remove("TASKBELL_NO_WINDOW")
        .env_remove("FLOOR_NO_WINDOW")
        // The same log volume on every run, whatever the caller's shell has.
        .env("RUST_LOG", "info")
        .env("TASKBELL_DATA_DIR", dir)
        // The sandbox's staff handing out work would be the sandbox's wake-ups, not the app's.
        .env("TASKBELL_SANDBOX_PACE_SECS", "0")
        // GTK would have the private bus start an accessibility bus, which only the first
        // launch would pay for; the e2e tests turn the bridge off too.
        .env("NO_AT_BRIDGE", "1")
        .current_dir(dir)
        .process_group(0);
    if window == Window::TrayOnly {
        cmd.env(
            if which == Which::Taskbell {
                "TASKBELL_NO_WINDOW"
            } else {
                "FLOOR_NO_WINDOW"
            },
            "1",
        );
    }
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", bins.path(which).display()))?;
    let stdout = child.stdout.take().context("stdout was not captured")?;
    let (tx, ready) = mpsc::channel();
    let mut copy = std::fs::OpenOptions::new().append(true).open(&log)?;
    // Read until the app exits: its log goes to stdout too, and a full pipe would stall it.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if says_tray_ready(which, &line) {
                let _ = tx.send(Instant::now());
            }
            let _ = writeln!(copy, "{line}");
        }
    });
    Ok(Running {
        which,
        child,
        ready,
        started,
        log,
    })
}

impl Running {
    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Waits for the "tray ready" line and returns the time since spawn.
    pub fn wait_tray_ready(&mut self) -> Result<Duration> {
        let deadline = self.started + READY_PATIENCE;
        loop {
            match self.ready.recv_timeout(Duration::from_millis(100)) {
                Ok(at) => return Ok(at - self.started),
                Err(mpsc::RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
                Err(_) => {}
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "{} exited ({status}) before its tray was ready; see {}",
                    self.which.name(),
                    self.log.display()
                );
            }
            if Instant::now() >= deadline {
                bail!(
                    "{} said no \"{TRAY_READY}\" within {:?}; see {}",
                    self.which.name(),
                    READY_PATIENCE,
                    self.log.display()
                );
            }
        }
    }

    /// SIGTERM to the group and to every descendant (in case one left it), SIGKILL if they
    /// linger; returns once the app has exited, so the next launch is not handed over to it by
    /// the single-instance lock.
    pub fn stop(mut self) -> Result<()> {
        let tree = procs::tree(self.pid());
        signal_all(self.pid(), &tree, libc::SIGTERM);
        let deadline = Instant::now() + STOP_PATIENCE;
        while self.child.try_wait()?.is_none() {
            if Instant::now() >= deadline {
                signal_all(self.pid(), &tree, libc::SIGKILL);
                self.child.wait()?;
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // The helpers notice their parent is gone on their own; give them the moment they take.
        let deadline = Instant::now() + STOP_PATIENCE;
        while tree.iter().skip(1).any(|s| alive(s.pid)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        for s in tree.iter().skip(1).filter(|s| alive(s.pid)) {
            // SAFETY: kill only sends a signal.
            unsafe { libc::kill(s.pid, libc::SIGKILL) };
        }
        Ok(())
    }
}

fn signal_all(group: i32, tree: &[procs::Stat], sig: i32) {
    // SAFETY: kill only sends a signal; the group is the one the child was started in.
    unsafe {
        libc::kill(-group, sig);
        for s in tree {
            libc::kill(s.pid, sig);
        }
    }
}

fn alive(pid: i32) -> bool {
    // A zombie still has a /proc entry but is done: its stat state is 'Z'.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rfind(')')
                .map(|i| !s[i + 1..].trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_app_says_its_tray_is_ready_in_its_own_way() {
        let logged = "2026-05-04T10:00:00.123456Z  INFO taskbell_app::tray: tray ready";
        assert!(says_tray_ready(Which::Taskbell, logged));
        assert!(says_tray_ready(Which::Floor, "tray ready\n"));
        assert!(
            !says_tray_ready(Which::Taskbell, "tray ready"),
            "Taskbell logs it; a bare print is not its"
        );
        assert!(!says_tray_ready(
            Which::Taskbell,
            "2026-05-04T10:00:00Z ERROR taskbell_app::tray: no tray icon: tray ready?"
        ));
        assert!(!says_tray_ready(Which::Floor, logged));
    }
}

//! Idle wakeups: how often an idle app takes the CPU, as context switches per second summed over
//! every thread of its process tree (voluntary + involuntary, from /proc/<pid>/task/*/status).
//! Each switch is a thread going to sleep or being put aside, so in an idle app they count its
//! wakeups, which are what keep a laptop's cores out of their deep sleep states.
//!
//! Taskbell runs tray-only in live mode, connected to the companion plugin's channel of a
//! sandbox that runs as a process of its own (`taskbell-cli sandbox`), configured the way a user
//! configures a Canvas: settings.json in the data directory, the client secret and the plugin's
//! api key in secrets.json (mode 0600; the private session bus has no keychain). So the
//! sandbox's own timers and sockets are not counted, and Taskbell's are: its plugin channel,
//! its timers, its tray. The floor app runs tray-only beside it, measured the same way.
//!
//! Each app is left to settle after its tray is ready (and, for Taskbell, its channel is
//! live), then its tree is read every second for the counting period: a thread's switches are
//! counted from the first read (from zero for a thread born later) to the last read that saw
//! it, so a thread that ends during the period keeps what it did.

use crate::apps::{self, Binaries, Which, Window};
use crate::procs;
use anyhow::{bail, Context, Result};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long the channel may take to come up after launch.
const LIVE_PATIENCE: Duration = Duration::from_secs(30);
const LIVE_LINE: &str = "plugin channel connected";

pub struct Wakeups {
    pub which: Which,
    pub switches: u64,
    pub wall: Duration,
    /// Threads seen during the count, across the tree.
    pub threads: usize,
    /// Switches by process and thread name, busiest first.
    pub by_thread: Vec<(String, u64)>,
    /// Lines in Taskbell's log during the count that say its channel dropped.
    pub reconnects: usize,
}

impl Wakeups {
    pub fn per_sec(&self) -> f64 {
        self.switches as f64 / self.wall.as_secs_f64()
    }
}

/// What `taskbell-cli sandbox` says about itself: a Canvas to configure.
#[derive(Debug, PartialEq)]
struct Described {
    fhir_base: String,
    token_url: String,
    client_id: String,
    client_secret: String,
    socket_url: String,
    socket_api_key: String,
    requester: String,
}

/// The sandbox process; killed when dropped.
struct SandboxProcess {
    child: Child,
    canvas: Described,
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value after `label` in `taskbell-cli sandbox`'s description of itself.
fn described<'a>(lines: &'a [String], label: &str) -> Option<&'a str> {
    lines
        .iter()
        .find_map(|l| l.trim_start().strip_prefix(label))
        .map(str::trim)
}

/// Reads the description `taskbell-cli sandbox` prints once it listens.
fn parse_description(lines: &[String]) -> Option<Described> {
    let (client_id, client_secret) = described(lines, "client")?.split_once(" / ")?;
    let (socket_url, socket_api_key) = described(lines, "plugin ws")?.split_once("?api_key=")?;
    Some(Described {
        fhir_base: described(lines, "FHIR base")?.to_string(),
        token_url: described(lines, "token URL")?.to_string(),
        client_id: client_id.trim().to_string(),
        client_secret: client_secret.trim().to_string(),
        socket_url: socket_url.to_string(),
        socket_api_key: socket_api_key.to_string(),
        requester: described(lines, "requester")?.to_string(),
    })
}

fn start_sandbox(bins: &Binaries, dir: &Path) -> Result<SandboxProcess> {
    std::fs::create_dir_all(dir)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let log = std::fs::File::create(dir.join("sandbox.log"))?;
    let mut child = Command::new(&bins.cli)
        .args(["sandbox", "--port", &port.to_string()])
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting {}", bins.cli.display()))?;
    let stdout = child
        .stdout
        .take()
        .context("the sandbox's stdout was not captured")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut lines = Vec::new();
    loop {
        if let Some(canvas) = parse_description(&lines) {
            return Ok(SandboxProcess { child, canvas });
        }
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) => lines.push(line),
            Err(_) => {
                bail!("the sandbox did not describe itself within 15 s; it printed {lines:?}")
            }
        }
    }
}

/// settings.json as the app's settings store writes it, a Canvas given by full URLs with its
/// plugin channel; the secrets in the file secret store, readable by this user only.
fn configure_live(dir: &Path, sb: &Described) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let settings = json!({"settings": {
        "connection": {
            "kind": "canvas", "instance": "", "fhir_base": sb.fhir_base, "token_url": sb.token_url,
            "client_id": sb.client_id, "requester": sb.requester
        },
        "receive": {"mode": "live", "socket_url": sb.socket_url, "socket_channel": "taskbell"}
    }});
    std::fs::write(
        dir.join("settings.json"),
        serde_json::to_vec_pretty(&settings)?,
    )?;
    let secrets = json!({"client_secret": sb.client_secret, "socket_api_key": sb.socket_api_key});
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(dir.join("secrets.json"))?;
    std::io::Write::write_all(&mut f, &serde_json::to_vec(&secrets)?)?;
    Ok(())
}

fn log_lines_with(log: &Path, needle: &str) -> usize {
    std::fs::read_to_string(log)
        .map(|t| t.lines().filter(|l| l.contains(needle)).count())
        .unwrap_or(0)
}

fn wait_live(app: &apps::Running) -> Result<()> {
    let deadline = Instant::now() + LIVE_PATIENCE;
    while log_lines_with(&app.log, LIVE_LINE) == 0 {
        if Instant::now() >= deadline {
            bail!(
                "Taskbell's plugin channel was not live within {LIVE_PATIENCE:?}; see {}",
                app.log.display()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

/// Switches by thread (pid, tid), with the thread's process and name.
type ByThread = HashMap<(i32, i32), (String, u64)>;

/// Reads the tree's threads every second for `period`; returns the switches by thread.
fn count(root: i32, period: Duration) -> (ByThread, Duration) {
    let key = |t: &procs::ThreadSwitches| (t.pid, t.tid);
    let label = |t: &procs::ThreadSwitches, tree: &[procs::Stat]| {
        let comm = tree
            .iter()
            .find(|s| s.pid == t.pid)
            .map_or("?", |s| s.comm.as_str());
        format!("{comm}/{}", t.name)
    };
    let tree = procs::tree(root);
    let base: HashMap<(i32, i32), u64> = procs::thread_switches(&tree)
        .iter()
        .map(|t| (key(t), t.switches))
        .collect();
    let from = Instant::now();
    let mut last = ByThread::new();
    loop {
        let elapsed = from.elapsed();
        let next = Duration::from_secs(elapsed.as_secs() + 1).min(period);
        std::thread::sleep(next.saturating_sub(elapsed));
        let tree = procs::tree(root);
        for t in procs::thread_switches(&tree) {
            let since = t
                .switches
                .saturating_sub(base.get(&key(&t)).copied().unwrap_or(0));
            last.insert(key(&t), (label(&t, &tree), since));
        }
        if next >= period {
            return (last, from.elapsed());
        }
    }
}

fn measure(
    bins: &Binaries,
    which: Which,
    dir: &Path,
    settle: Duration,
    period: Duration,
) -> Result<Wakeups> {
    let mut app = apps::start(bins, which, Window::TrayOnly, dir)?;
    let result = (|| {
        app.wait_tray_ready()?;
        if which == Which::Taskbell {
            wait_live(&app)?;
        }
        std::thread::sleep(settle);
        let drops_before = log_lines_with(&app.log, "reconnecting in");
        let (threads, wall) = count(app.pid(), period);
        let reconnects = log_lines_with(&app.log, "reconnecting in") - drops_before;
        let mut by: BTreeMap<String, u64> = BTreeMap::new();
        for (name, n) in threads.values() {
            *by.entry(name.clone()).or_default() += n;
        }
        let mut by_thread: Vec<(String, u64)> = by.into_iter().filter(|e| e.1 > 0).collect();
        by_thread.sort_by_key(|e| std::cmp::Reverse(e.1));
        let switches = threads.values().map(|(_, n)| n).sum();
        Ok(Wakeups {
            which,
            switches,
            wall,
            threads: threads.len(),
            by_thread,
            reconnects,
        })
    })();
    app.stop()?;
    result
}

pub fn run(
    bins: &Binaries,
    root: &Path,
    settle: Duration,
    period: Duration,
) -> Result<Vec<Wakeups>> {
    let mut out = Vec::new();
    for which in [Which::Taskbell, Which::Floor] {
        let dir = root.join(format!("wakeups-{}", which.slug()));
        // Started before the app and stopped after it; dropped (killed) on any failure.
        let sandbox = match which {
            Which::Taskbell => {
                let sb = start_sandbox(bins, &root.join("wakeups-sandbox"))?;
                configure_live(&dir, &sb.canvas)?;
                Some(sb)
            }
            Which::Floor => None,
        };
        let w = measure(bins, which, &dir, settle, period)?;
        drop(sandbox);
        let busiest: Vec<String> = w
            .by_thread
            .iter()
            .take(8)
            .map(|(n, c)| format!("{n} {c}"))
            .collect();
        println!(
            "  {:<9} {:.2} switches/s ({} in {:.1} s over {} threads): {}{}",
            which.name(),
            w.per_sec(),
            w.switches,
            w.wall.as_secs_f64(),
            w.threads,
            busiest.join(", "),
            if w.reconnects > 0 {
                format!("; note: the channel dropped {} times", w.reconnects)
            } else {
                String::new()
            }
        );
        out.push(w);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{parse_description, Described};

    #[test]
    fn the_sandbox_describes_a_canvas_to_configure() {
        let printed = "Canvas sandbox on http://127.0.0.1:8765
  FHIR base   http://127.0.0.1:8765/fhir
  token URL   http://127.0.0.1:8765/auth/token/
  client      sandbox-client / sandbox-secret
  plugin ws   ws://127.0.0.1:8765/plugin-io/ws/taskbell_relay/taskbell/?api_key=sandbox-socket-key
  requester   4150cd20de8a470aa570a852859ac87e";
        let lines: Vec<String> = printed.lines().map(str::to_string).collect();
        let expected = Described {
            fhir_base: "http://127.0.0.1:8765/fhir".into(),
            token_url: "http://127.0.0.1:8765/auth/token/".into(),
            client_id: "sandbox-client".into(),
            client_secret: "sandbox-secret".into(),
            socket_url: "ws://127.0.0.1:8765/plugin-io/ws/taskbell_relay/taskbell/".into(),
            socket_api_key: "sandbox-socket-key".into(),
            requester: "4150cd20de8a470aa570a852859ac87e".into(),
        };
        assert_eq!(parse_description(&lines), Some(expected));
        assert!(
            parse_description(&lines[..3]).is_none(),
            "not until the whole description is in"
        );
    }
}

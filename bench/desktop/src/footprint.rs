//! Memory and idle CPU of each app in each window state: start it, leave it alone for the idle
//! period, sum PSS over its process tree (the app and its WebKit helpers), then count the CPU
//! time the tree uses over the CPU period. PSS rather than RSS, as the target is set: the
//! libraries the app shares with the X server or the notification daemon are charged to it only
//! in part, while everything it alone maps is charged whole. Each process's PSS by mapping goes
//! to pss-<name>-<pid>.txt in the app's directory, for where the memory goes.

use crate::apps::{self, Binaries, Which, Window};
use crate::procs::{self, Pss, Stat};
use crate::stats::mib;
use anyhow::{bail, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

pub struct Member {
    pub comm: String,
    pub pss: Pss,
}

pub struct Footprint {
    pub which: Which,
    pub window: Window,
    pub members: Vec<Member>,
    /// Percent of one core over the CPU period.
    pub cpu_percent: f64,
    pub cpu_ticks: u64,
    /// Ticks by process name, busiest first.
    pub cpu_by_process: Vec<(String, u64)>,
    pub cpu_wall: Duration,
    pub threads: u32,
    /// WebKit processes and apps outside this tree, alive while it was measured: they share
    /// library pages with it and so lower its PSS.
    pub others: Vec<String>,
}

impl Footprint {
    pub fn total(&self) -> Pss {
        let mut t = Pss::default();
        for m in &self.members {
            t += m.pss;
        }
        t
    }
}

fn is_webkit_app(comm: &str) -> bool {
    comm.starts_with("WebKit") || comm == "taskbell" || comm == "floor-app"
}

fn others(tree: &[Stat]) -> Vec<String> {
    procs::all_stats()
        .into_iter()
        .filter(|s| is_webkit_app(&s.comm) && !tree.iter().any(|t| t.pid == s.pid))
        .map(|s| format!("{} ({})", s.comm, s.pid))
        .collect()
}

fn by_process(before: &[Stat], after: &[Stat]) -> Vec<(String, u64)> {
    let mut sums: BTreeMap<String, u64> = BTreeMap::new();
    for s in after {
        *sums.entry(s.comm.clone()).or_default() +=
            procs::ticks_between(before, std::slice::from_ref(s));
    }
    let mut v: Vec<_> = sums.into_iter().collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.1));
    v
}

fn measure(
    bins: &Binaries,
    which: Which,
    window: Window,
    dir: &Path,
    idle: Duration,
    cpu: Duration,
) -> Result<Footprint> {
    let mut app = apps::start(bins, which, window, dir)?;
    let result = (|| {
        app.wait_tray_ready()?;
        std::thread::sleep(idle);
        let tree = procs::tree(app.pid());
        if tree.is_empty() {
            bail!(
                "{} is gone after {idle:?} idle; see {}",
                which.name(),
                app.log.display()
            );
        }
        let others = others(&tree);
        let members: Vec<Member> = tree
            .iter()
            .filter_map(|s| {
                procs::pss(s.pid).map(|pss| Member {
                    comm: s.comm.clone(),
                    pss,
                })
            })
            .collect();
        for s in &tree {
            let lines: Vec<String> = procs::pss_by_mapping(s.pid)
                .iter()
                .map(|(name, kb)| format!("{kb:>8} kB  {name}"))
                .collect();
            let _ = std::fs::write(
                dir.join(format!("pss-{}-{}.txt", s.comm.replace(' ', "_"), s.pid)),
                lines.join("\n") + "\n",
            );
        }
        let threads = tree.iter().filter_map(|s| procs::threads(s.pid)).sum();
        let (before, from) = (procs::tree(app.pid()), Instant::now());
        std::thread::sleep(cpu);
        let (after, wall) = (procs::tree(app.pid()), from.elapsed());
        let ticks = procs::ticks_between(&before, &after);
        let cpu_percent =
            ticks as f64 / procs::clock_ticks_per_sec() as f64 / wall.as_secs_f64() * 100.0;
        let cpu_by_process = by_process(&before, &after);
        Ok(Footprint {
            which,
            window,
            members,
            cpu_percent,
            cpu_ticks: ticks,
            cpu_by_process,
            cpu_wall: wall,
            threads,
            others,
        })
    })();
    app.stop()?;
    result
}

pub fn run(bins: &Binaries, root: &Path, idle: Duration, cpu: Duration) -> Result<Vec<Footprint>> {
    let mut out = Vec::new();
    for window in [Window::Open, Window::TrayOnly] {
        for which in [Which::Taskbell, Which::Floor] {
            let dir = root.join(format!(
                "footprint-{}-{}",
                which.slug(),
                window.name().replace(' ', "-")
            ));
            let f = measure(bins, which, window, &dir, idle, cpu)?;
            let parts: Vec<String> = f
                .members
                .iter()
                .map(|m| format!("{} {}", m.comm, mib(m.pss.total)))
                .collect();
            let cpu_parts: Vec<String> = f
                .cpu_by_process
                .iter()
                .map(|(c, t)| format!("{c} {t}"))
                .collect();
            println!(
                "  {:<9} {:<11} PSS {} ({}), RSS {}; CPU {:.3} % ({} ticks in {:.1} s: {}); {} threads",
                which.name(),
                window.name(),
                mib(f.total().total),
                parts.join(", "),
                mib(f.total().rss),
                f.cpu_percent,
                f.cpu_ticks,
                f.cpu_wall.as_secs_f64(),
                cpu_parts.join(", "),
                f.threads
            );
            if !f.others.is_empty() {
                println!(
                    "    note: also running, sharing library pages: {}",
                    f.others.join(", ")
                );
            }
            out.push(f);
        }
    }
    Ok(out)
}

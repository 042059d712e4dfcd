//! Taskbell's desktop benchmarks, on release builds, in an X session and a session bus of their
//! own (`make bench-desktop` wraps this in xvfb-run and dbus-run-session):
//!
//! - launch to tray ready: spawn to the "tray ready" line, Taskbell beside the floor app;
//! - memory: PSS of each app's process tree after an idle period, window open and tray-only;
//! - idle CPU: the tree's CPU time over a minute after that;
//! - idle wakeups: context switches per second over every thread of the tree, tray-only, Taskbell
//!   live against a sandbox running as a process of its own, beside the floor app;
//! - event to Notify: signed webhook deliveries into Taskbell to the Notify calls on the bus.
//!
//! Knobs, for quicker runs while working on it: BENCH_LAUNCHES (10), BENCH_IDLE_SECS (30),
//! BENCH_CPU_SECS (60), BENCH_SETTLE_SECS (10), BENCH_WAKEUP_SECS (60), BENCH_EVENTS (200),
//! BENCH_ONLY (launch,footprint,wakeups,latency).

mod apps;
mod footprint;
mod latency;
mod launch;
mod notify_monitor;
mod procs;
mod report;
mod stats;
mod wakeups;

use anyhow::{bail, Context, Result};
use std::time::Duration;

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn wanted(phase: &str) -> bool {
    match std::env::var("BENCH_ONLY") {
        Ok(only) if !only.trim().is_empty() => only.split(',').any(|p| p.trim() == phase),
        _ => true,
    }
}

fn first_line_with(path: &str, key: &str) -> String {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with(key))
                .map(|l| l.split_once(':').map_or("", |(_, v)| v).trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{cores} CPUs ({}), {} RAM, Linux {}",
        first_line_with("/proc/cpuinfo", "model name"),
        first_line_with("/proc/meminfo", "MemTotal"),
        kernel.trim()
    )
}

fn main() -> Result<()> {
    for var in ["DISPLAY", "DBUS_SESSION_BUS_ADDRESS"] {
        if std::env::var_os(var).is_none() {
            bail!("{var} is not set: run this under xvfb-run and dbus-run-session (make bench-desktop does)");
        }
    }
    let bins = apps::Binaries::beside_this_one()?;
    let exe = std::env::current_exe()?;
    let root = exe
        .parent()
        .and_then(|d| d.parent())
        .context("no target directory")?
        .join("bench-desktop");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root)?;
    let date = time::OffsetDateTime::now_utc().date();
    println!("Desktop benchmarks, {date}: {}", machine());
    println!(
        "load average at the start: {}; app data and logs in {}",
        load_average(),
        root.display()
    );
    // Started now (by D-Bus activation) so no app measured pays for the daemon's start.
    notify_monitor::close_marker()?;

    let mut launches = Vec::new();
    if wanted("launch") {
        println!("\nLaunch to tray ready");
        launches = launch::run(&bins, &root, knob("BENCH_LAUNCHES", 10) as usize)?;
    }
    let mut footprints = Vec::new();
    if wanted("footprint") {
        let (idle, cpu) = (knob("BENCH_IDLE_SECS", 30), knob("BENCH_CPU_SECS", 60));
        println!("\nMemory after {idle} s idle, then CPU over {cpu} s");
        footprints = footprint::run(
            &bins,
            &root,
            Duration::from_secs(idle),
            Duration::from_secs(cpu),
        )?;
    }
    let mut wakeups = Vec::new();
    if wanted("wakeups") {
        let (settle, period) = (knob("BENCH_SETTLE_SECS", 10), knob("BENCH_WAKEUP_SECS", 60));
        println!("\nIdle wakeups, tray only, after {settle} s settling, over {period} s");
        wakeups = wakeups::run(
            &bins,
            &root,
            Duration::from_secs(settle),
            Duration::from_secs(period),
        )?;
    }
    let mut latency = None;
    if wanted("latency") {
        let events = knob("BENCH_EVENTS", 200) as usize;
        println!("\nEvent to Notify call, {events} completions");
        latency = Some(latency::run(&bins, &root, events)?);
    }
    println!("\nload average at the end: {}", load_average());
    report::print(&launches, &footprints, &wakeups, latency.as_ref());
    Ok(())
}

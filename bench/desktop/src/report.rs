//! The summary printed at the end, as a Markdown table to paste into BENCHMARKS.md.

use crate::apps::{Which, Window};
use crate::footprint::Footprint;
use crate::latency::LatencyFigures;
use crate::launch::LaunchFigures;
use crate::stats::{mib, ms, percentile, sorted};
use crate::wakeups::Wakeups;
use std::time::Duration;

pub const LAUNCH_TARGET: Duration = Duration::from_millis(500);
pub const TRAY_MARGIN_KIB: u64 = 10 * 1024;
/// Context switches a second an idle Taskbell may add to the floor app's.
pub const WAKEUP_MARGIN_PER_SEC: f64 = 1.0;
pub const CPU_TARGET_PERCENT: f64 = 0.5;
pub const P99_TARGET: Duration = Duration::from_millis(50);

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**not met**"
    }
}

fn footprint(all: &[Footprint], which: Which, window: Window) -> Option<&Footprint> {
    all.iter().find(|f| f.which == which && f.window == window)
}

pub fn print(
    launch: &[LaunchFigures],
    footprints: &[Footprint],
    wakeups: &[Wakeups],
    latency: Option<&LatencyFigures>,
) {
    println!();
    println!("| figure | Taskbell | floor app | target | |");
    println!("| --- | ---: | ---: | --- | --- |");
    let l = |w: Which| launch.iter().find(|f| f.which == w);
    if let (Some(t), Some(f)) = (l(Which::Taskbell), l(Which::Floor)) {
        let ok = t.median() < LAUNCH_TARGET;
        let verdict = match (ok, t.max() < LAUNCH_TARGET) {
            (true, false) => "met by the median, not the max".to_string(),
            (ok, _) => met(ok).to_string(),
        };
        println!(
            "| launch to tray ready, median / max of {} | {} / {} | {} / {} | < 500 ms | {verdict} |",
            t.samples.len(),
            ms(t.median()),
            ms(t.max()),
            ms(f.median()),
            ms(f.max())
        );
    }
    for window in [Window::Open, Window::TrayOnly] {
        let (Some(t), Some(f)) = (
            footprint(footprints, Which::Taskbell, window),
            footprint(footprints, Which::Floor, window),
        ) else {
            continue;
        };
        let (tp, fp) = (t.total().total, f.total().total);
        let over = tp.saturating_sub(fp);
        let (target, verdict) = match window {
            Window::TrayOnly => (
                "within 10 MiB of the floor",
                format!("{} (+{})", met(over < TRAY_MARGIN_KIB), mib(over)),
            ),
            Window::Open => ("", format!("+{}", mib(over))),
        };
        println!(
            "| memory (PSS, process tree), {} | {} | {} | {target} | {verdict} |",
            window.name(),
            mib(tp),
            mib(fp)
        );
    }
    for window in [Window::Open, Window::TrayOnly] {
        let (Some(t), Some(f)) = (
            footprint(footprints, Which::Taskbell, window),
            footprint(footprints, Which::Floor, window),
        ) else {
            continue;
        };
        println!(
            "| idle CPU over {:.0} s, {} | {:.3} % | {:.3} % | < 0.5 % | {} |",
            t.cpu_wall.as_secs_f64(),
            window.name(),
            t.cpu_percent,
            f.cpu_percent,
            met(t.cpu_percent < CPU_TARGET_PERCENT)
        );
    }
    let w = |which: Which| wakeups.iter().find(|x| x.which == which);
    if let (Some(t), Some(f)) = (w(Which::Taskbell), w(Which::Floor)) {
        let over = t.per_sec() - f.per_sec();
        println!(
            "| idle wakeups (context switches/s, every thread) over {:.0} s, tray only, live | {:.2} /s | {:.2} /s | at most 1 /s above the floor | {} ({:+.2} /s) |",
            t.wall.as_secs_f64(),
            t.per_sec(),
            f.per_sec(),
            met(over <= WAKEUP_MARGIN_PER_SEC),
            over
        );
    }
    if let Some(lat) = latency {
        let n = sorted(lat.notify.clone());
        let p99 = percentile(&n, 99.0);
        // A lost notification is slower than any p99.
        let ok = lat.lost() == 0 && p99 < P99_TARGET;
        let lost = if lat.lost() > 0 {
            format!(", {} lost", lat.lost())
        } else {
            String::new()
        };
        println!(
            "| event → Notify call over {} events, p50 / p99 | {} / {}{lost} | | p99 < 50 ms | {} |",
            lat.sent,
            ms(percentile(&n, 50.0)),
            ms(p99),
            met(ok)
        );
    }
    println!();
    for f in footprints {
        let t = f.total();
        println!(
            "{} {}: PSS {} = anon {} + file {} + shmem {}; RSS {}",
            f.which.name(),
            f.window.name(),
            mib(t.total),
            mib(t.anon),
            mib(t.file),
            mib(t.shmem),
            mib(t.rss)
        );
    }
}

//! Launch to tray ready: spawn to the "tray ready" line, each launch with a data directory of
//! its own (Taskbell creates its database and settings as on a first start). The two apps take
//! turns so a burst of other load on the machine falls on both. One launch of each first is not
//! counted: it pulls the binaries and WebKit into the page cache, which a user's second launch
//! of the day would find there too, and the first GTK app on a fresh X server probes OpenGL
//! (loading Mesa) and leaves the answer on the root window for every app after it.

use crate::apps::{self, Binaries, Which, Window};
use crate::stats;
use anyhow::Result;
use std::path::Path;
use std::time::Duration;

pub struct LaunchFigures {
    pub which: Which,
    pub samples: Vec<Duration>,
}

impl LaunchFigures {
    pub fn median(&self) -> Duration {
        stats::percentile(&stats::sorted(self.samples.clone()), 50.0)
    }

    pub fn max(&self) -> Duration {
        self.samples.iter().copied().max().unwrap_or_default()
    }
}

fn once(bins: &Binaries, which: Which, dir: &Path) -> Result<Duration> {
    let mut app = apps::start(bins, which, Window::Open, dir)?;
    let took = app.wait_tray_ready();
    app.stop()?;
    took
}

pub fn run(bins: &Binaries, root: &Path, launches: usize) -> Result<Vec<LaunchFigures>> {
    let apps = [Which::Taskbell, Which::Floor];
    for which in apps {
        once(
            bins,
            which,
            &root.join(format!("launch-{}-warmup", which.slug())),
        )?;
    }
    let mut figures: Vec<LaunchFigures> = apps
        .iter()
        .map(|&which| LaunchFigures {
            which,
            samples: Vec::new(),
        })
        .collect();
    for i in 0..launches {
        for f in figures.iter_mut() {
            let took = once(
                bins,
                f.which,
                &root.join(format!("launch-{}-{i:02}", f.which.slug())),
            )?;
            println!(
                "  launch {:>2} {:<9} {}",
                i + 1,
                f.which.name(),
                stats::ms(took)
            );
            f.samples.push(took);
        }
    }
    Ok(figures)
}

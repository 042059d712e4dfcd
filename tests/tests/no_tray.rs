//! A desktop without a working appindicator library: libappindicator-sys panics instead of
//! returning an error, so the app must catch that, say there is no tray, and keep running.
//!
//! The library is replaced by one of the same name with none of its symbols (built here with
//! the C compiler the build already needs), found first through LD_LIBRARY_PATH: the binding
//! fails exactly as it does when the library is missing.

mod common;

use anyhow::{bail, ensure, Context, Result};
use std::process::Command;
use std::time::{Duration, Instant};
use taskbell_e2e::app_process::TRAY_READY_LOG;
use taskbell_e2e::{AppProcess, Notifications, World};

const NO_TRAY_LOG: &str = "no tray icon";
const STAYS_UP: Duration = Duration::from_secs(10);

fn stand_in_libraries() -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    for name in ["libayatana-appindicator3.so.1", "libappindicator3.so.1"] {
        let status = Command::new("cc")
            .args(["-shared", "-fPIC", "-x", "c", "/dev/null", "-o"])
            .arg(dir.path().join(name))
            .status()
            .context("running cc (build-essential) to make the stand-in library")?;
        ensure!(status.success(), "cc could not build the stand-in {name}");
    }
    Ok(dir)
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn without_an_appindicator_library_the_app_stays_up_and_says_so() -> Result<()> {
    let world = World::new("no-tray", Notifications::Absent)?;
    let libs = stand_in_libraries()?;
    let mut app = AppProcess::start_with(
        &world,
        &[("LD_LIBRARY_PATH", libs.path().display().to_string())],
    )?;
    let line = app.wait_log(NO_TRAY_LOG).await?;
    eprintln!("the app logged: {line}");
    ensure!(
        !app.log().contains(TRAY_READY_LOG),
        "a tray was built after all; the stand-in library was not used"
    );
    let since = Instant::now();
    while since.elapsed() < STAYS_UP {
        if let Some(status) = app.try_wait()? {
            bail!(
                "the app exited ({status}) {:?} after losing its tray; its log:\n{}",
                since.elapsed(),
                app.log()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Ok(())
}

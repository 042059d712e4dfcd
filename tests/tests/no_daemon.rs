//! A desktop with no notification daemon: the app must start, stay up, say plainly that
//! notifications are unavailable (log, window), and keep doing everything else.
//!
//! The test's bus has an empty service directory, so org.freedesktop.Notifications can neither
//! be owned nor activated on it; each test checks that first, so it cannot pass by accident on
//! a bus where dunst would start after all.

mod common;

use anyhow::{ensure, Result};
use common::unique;
use std::time::{Duration, Instant};
use taskbell_e2e::bus::NOTIFICATIONS;
use taskbell_e2e::wait::{until, Look, PATIENCE};
use taskbell_e2e::{ui, AppProcess, Driven, Notifications, TrayMenu, World};

/// What the app logs when no notification service answers.
const UNAVAILABLE_LOG: &str = "desktop notifications are unavailable";
/// How long the app must keep running after finding no daemon.
const STAYS_UP: Duration = Duration::from_secs(10);

fn assert_no_daemon_possible(world: &World) -> Result<()> {
    ensure!(
        !world.bus.has_owner(NOTIFICATIONS)?,
        "something owns {NOTIFICATIONS} on the test's bus"
    );
    let activatable = world.bus.activatable_names()?;
    ensure!(
        !activatable.iter().any(|n| n == NOTIFICATIONS),
        "{NOTIFICATIONS} is activatable: {activatable:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn without_a_notification_daemon_the_app_stays_up_and_logs_it() -> Result<()> {
    let world = World::new("no-daemon-process", Notifications::Absent)?;
    assert_no_daemon_possible(&world)?;
    let mut app = AppProcess::start(&world)?;
    let line = app.wait_log(UNAVAILABLE_LOG).await?;
    eprintln!("the app logged: {line}");

    // A fixed span on purpose: "stays alive" is the claim. Checked often so an early exit is
    // reported with its status.
    let since = Instant::now();
    while since.elapsed() < STAYS_UP {
        if let Some(status) = app.try_wait()? {
            anyhow::bail!(
                "the app exited ({status}) {:?} after finding no daemon; its log:\n{}",
                since.elapsed(),
                app.log()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Still working, not just running: its tray answers, and Quit ends it cleanly.
    let tray = TrayMenu::find(&world.bus, app.pid())?;
    tray.click("Quit")?;
    let status = app.wait_exit().await?;
    ensure!(status.code() == Some(0), "Quit ended the app with {status}");
    Ok(())
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn without_a_notification_daemon_the_window_says_so_and_tasks_still_complete() -> Result<()> {
    let world = World::new("no-daemon-window", Notifications::Absent)?;
    assert_no_daemon_possible(&world)?;
    Driven::run(&world, async |app| window(&world, app).await).await
}

async fn window(world: &World, app: &Driven) -> Result<()> {
    let c = &app.client;
    ui::wait_live(c).await?;
    let banner = until(
        "the window to say notifications are unavailable",
        PATIENCE,
        || async {
            Ok(match ui::banner(c).await? {
                Some(text) if text.contains("Desktop notifications are unavailable") => {
                    Look::Done(text)
                }
                other => Look::NotYet(format!("banner {other:?}")),
            })
        },
    )
    .await?;
    ensure!(
        !banner.contains("No system tray"),
        "the banner also says there is no tray: {banner:?}"
    );
    ui::screenshot(c, &world.artifacts, "banner-notifications-unavailable").await?;

    // A completion has nowhere to be shown; it must still be stored and counted.
    let description = unique("Renew the standing order");
    ui::create_task(
        c,
        ui::Draft {
            description: &description,
            patient: None,
            assignee: Some("Morgan"),
        },
    )
    .await?;
    ui::wait_history_row(c, &description, "the task to be done in History", |r| {
        r.status == "Completed" || r.status == "Closed"
    })
    .await?;
    ensure!(
        app.app_alive(),
        "the app is gone after a completion it could not notify"
    );
    Ok(())
}

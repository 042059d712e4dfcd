//! The tray menu, driven over D-Bus as a desktop panel drives it: its items open the window's
//! views (building the window when none is open), pause and resume notifications (a completion
//! while paused raises none), and Quit ends the app with status 0, having started no thread
//! that would wake it while idle.

mod common;

use anyhow::{ensure, Context, Result};
use common::unique;
use taskbell_e2e::app_process::TRAY_READY_LOG;
use taskbell_e2e::wait::{until, Look, PATIENCE};
use taskbell_e2e::{ui, AppProcess, Driven, Notifications, TrayMenu, World};

/// The status line's suffix while notifications are paused.
const PAUSED: &str = " · notifications paused";

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn tray_items_open_the_views_they_name() -> Result<()> {
    let world = World::new("tray-views", Notifications::Dunst)?;
    Driven::run(&world, async |app| views(&world, app).await).await
}

async fn views(world: &World, app: &Driven) -> Result<()> {
    let c = &app.client;
    let tray = TrayMenu::find(&world.bus, app.app_pid())?;
    ui::wait_live(c).await?;
    // Away from New task first, so that showing it is the tray's doing.
    ui::show_view(c, "history").await?;
    // Nothing is handed out in this test, so nothing is for the user and nothing is unread.
    let read = tray.item("Mark all read")?;
    ensure!(
        !read.enabled,
        "Mark all read is enabled with nothing unread"
    );
    for (label, view) in [
        ("For me (0)…", "forme"),
        ("New task…", "new"),
        ("Settings…", "settings"),
        ("Task history…", "history"),
        ("New task…", "new"),
    ] {
        tray.click(label)?;
        ui::wait_view(c, view)
            .await
            .with_context(|| format!("after clicking {label:?} in the tray"))?;
    }
    ui::screenshot(c, &world.artifacts, "new-task-from-tray").await?;
    Ok(())
}

/// Started in the tray only (as at login), the app has no window until a tray item builds one,
/// which must open at the view the item names: nothing can tell a page that does not exist yet,
/// so the view travels in the window's URL.
#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn a_tray_item_builds_the_window_at_the_view_it_names() -> Result<()> {
    let world = World::new("tray-builds-window", Notifications::Dunst)?;
    let open_history = async |pid| TrayMenu::find(&world.bus, pid)?.click("Task history…");
    Driven::run_with(
        &world,
        &[("TASKBELL_NO_WINDOW", "1")],
        open_history,
        async |app| built_window(&world, app).await,
    )
    .await
}

async fn built_window(world: &World, app: &Driven) -> Result<()> {
    let c = &app.client;
    ui::wait_view(c, "history")
        .await
        .context("in the window \"Task history…\" built")?;
    ui::screenshot(c, &world.artifacts, "history-from-tray").await?;
    // From now on the window is open, and later items reach it as events.
    let tray = TrayMenu::find(&world.bus, app.app_pid())?;
    tray.click("Settings…")?;
    ui::wait_view(c, "settings").await
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn pausing_from_the_tray_silences_completions_until_resumed() -> Result<()> {
    let world = World::new("tray-pause", Notifications::Dunst)?;
    Driven::run(&world, async |app| pause(&world, app).await).await
}

async fn pause(world: &World, app: &Driven) -> Result<()> {
    let c = &app.client;
    let monitor = world.monitor()?;
    let tray = TrayMenu::find(&world.bus, app.app_pid())?;
    ui::wait_live(c).await?;
    ensure!(
        !tray.item("Resume")?.enabled,
        "Resume is enabled before anything was paused"
    );

    tray.click("For 1 hour")?;
    ui::wait_status(c, "the status bar to say paused until a time", |s| {
        s.contains("Notifications paused until")
    })
    .await?;
    wait_tray_paused(&tray, true).await?;
    ui::screenshot(c, &world.artifacts, "paused-for-an-hour").await?;
    let during_hour = finish_task(c, "Call the lab back").await?;

    tray.click("Resume")?;
    ui::wait_status(c, "the status bar to stop saying paused", |s| {
        !s.contains("paused")
    })
    .await?;
    wait_tray_paused(&tray, false).await?;

    tray.click("Until resumed")?;
    ui::wait_status(c, "the status bar to say paused until resumed", |s| {
        s.contains("Notifications paused") && !s.contains("until")
    })
    .await?;
    wait_tray_paused(&tray, true).await?;
    let until_resumed = finish_task(c, "Send the discharge summary").await?;

    tray.click("Resume")?;
    ui::wait_status(c, "the status bar to stop saying paused", |s| {
        !s.contains("paused")
    })
    .await?;
    wait_tray_paused(&tray, false).await?;
    // Proof that the silence above was the pause's doing: once resumed, a completion notifies.
    let after = finish_task(c, "Book the follow-up").await?;
    monitor
        .wait_for(&format!("a Notify for {after:?} after resuming"), |n| {
            n.body.starts_with(&after)
        })
        .await?;

    // Any Notify for the paused tasks would have been sent seconds before the last one; the
    // marker makes sure the capture holds everything up to now.
    monitor.sync(&world.bus)?;
    let calls = monitor.notify_calls();
    for silent in [&during_hour, &until_resumed] {
        let leaked: Vec<_> = calls
            .iter()
            .filter(|n| n.body.starts_with(silent.as_str()))
            .collect();
        ensure!(
            leaked.is_empty(),
            "a Notify was sent while paused for {silent:?}: {leaked:#?}"
        );
    }
    Ok(())
}

/// Creates a task and waits until History shows it done (completed or closed); its description.
async fn finish_task(c: &fantoccini::Client, what: &str) -> Result<String> {
    let description = unique(what);
    ui::create_task(
        c,
        ui::Draft {
            description: &description,
            patient: None,
            assignee: Some("Morgan"),
        },
    )
    .await?;
    ui::wait_history_row(
        c,
        &description,
        &format!("{description:?} to be done"),
        |r| r.status == "Completed" || r.status == "Closed",
    )
    .await?;
    Ok(description)
}

/// Waits until the tray's status line and its Resume item agree that notifications are
/// `paused` (or not).
async fn wait_tray_paused(tray: &TrayMenu<'_>, paused: bool) -> Result<()> {
    until(
        &format!("the tray to show paused = {paused}"),
        PATIENCE,
        || async {
            let line = tray.status_line()?;
            let resume = tray.item("Resume")?.enabled;
            let look = if line.ends_with(PAUSED) == paused && resume == paused {
                Look::Done(())
            } else {
                Look::NotYet(format!("status line {line:?}, Resume enabled {resume}"))
            };
            Ok(look)
        },
    )
    .await
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn quit_in_the_tray_ends_the_app_with_status_0() -> Result<()> {
    let world = World::new("tray-quit", Notifications::Dunst)?;
    let mut app = AppProcess::start(&world)?;
    // The line the desktop benchmark times launches by; logged once the tray exists.
    app.wait_log(TRAY_READY_LOG).await?;
    let tray = TrayMenu::find(&world.bus, app.pid())?;
    // Connected first, so Quit also has a running sandbox and receiver to stop.
    until("the tray to say the sandbox is live", PATIENCE, || async {
        let line = tray.status_line()?;
        Ok(if line == "Sandbox · live" {
            Look::Done(())
        } else {
            Look::NotYet(format!("status line {line:?}"))
        })
    })
    .await?;
    let idle_pool = thread_names(app.pid())?
        .into_iter()
        .filter(|n| n.starts_with("blocking-"))
        .collect::<Vec<_>>();
    ensure!(
        idle_pool.is_empty(),
        "threads of async-io's blocking pool, which never exit and wake twice a second: {idle_pool:?}"
    );
    tray.click("Quit")?;
    let status = app.wait_exit().await?;
    ensure!(
        status.code() == Some(0),
        "Quit ended the app with {status}; its log:\n{}",
        app.log()
    );
    Ok(())
}

fn thread_names(pid: u32) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let comm = std::fs::read_to_string(task?.path().join("comm"))?;
        names.push(comm.trim().to_string());
    }
    Ok(names)
}

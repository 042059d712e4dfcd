//! The loop a user lives: create a task in the window, see it in History, let the sandbox's
//! staff finish it, get one desktop notification that says what was done and by whom (not for
//! which patient), and see History say it is done. Screenshots of the three views are kept.

mod common;

use anyhow::{ensure, Context, Result};
use common::{clinic_names, unique, ClinicNames};
use taskbell_e2e::monitor_parse::NotifyCall;
use taskbell_e2e::{ui, Driven, Notifications, World};

/// The sandbox's staff close one task in five instead of completing it; a closed one is checked
/// too, and another task is sent until one is completed. Eight in a row closed: 1 in 390,000.
const MAX_TASKS: usize = 8;

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn a_finished_task_raises_one_notification_and_shows_in_history() -> Result<()> {
    let clinic = clinic_names().await?;
    let world = World::new("notification", Notifications::Dunst)?;
    Driven::run(&world, async |app| steps(&world, app, &clinic).await).await
}

async fn steps(world: &World, app: &Driven, clinic: &ClinicNames) -> Result<()> {
    let monitor = world.monitor()?;
    let c = &app.client;
    ui::wait_live(c).await?;
    ui::wait_view(c, "new").await?;
    ui::screenshot(c, &world.artifacts, "1-new-task").await?;

    let mut completed = None;
    for attempt in 1..=MAX_TASKS {
        let description = unique(&format!("Fax the referral to cardiology #{attempt}"));
        // A patient, so that "no patient name" is a check of something the app knows; an
        // assignee, because the sandbox's staff complete a task as its assignee and the app
        // names the completer only by a name it has (the assignee's).
        let draft = ui::Draft {
            description: &description,
            patient: Some("Avery"),
            assignee: Some("Morgan"),
        };
        let created = ui::create_task(c, draft).await?;
        let assignee = created.assignee.context("no assignee was picked")?;
        ui::wait_history_row(c, &description, "the new task in History", |_| true).await?;
        if attempt == 1 {
            ui::screenshot(c, &world.artifacts, "2-history-new-task").await?;
        }

        let note = monitor
            .wait_for(&format!("a Notify for {description:?}"), |n| {
                n.body.starts_with(&description)
            })
            .await?;
        let done = check_notification(&note, &description, &assignee, &clinic.patients)?;
        let row = ui::wait_history_row(
            c,
            &description,
            &format!("History to show the task {done}"),
            |r| r.status == done,
        )
        .await?;
        eprintln!("task {attempt}: {done}; Notify captured:\n{note:#?}\nHistory row: {row:?}");
        if done == "Completed" {
            completed = Some((description, note));
            break;
        }
    }
    let (description, _) = completed.context("no task was completed (all were closed)")?;
    ui::screenshot(c, &world.artifacts, "3-history-completed").await?;
    // The whole screen too: dunst's popup is outside the webview.
    world
        .artifacts
        .capture_screen("3-screen-with-notification.png")?;

    // One notification per task: a second Notify for it would be a duplicate delivery.
    monitor.sync(&world.bus)?;
    let for_it = monitor
        .notify_calls()
        .into_iter()
        .filter(|n| n.body.starts_with(&description))
        .count();
    ensure!(
        for_it == 1,
        "{for_it} Notify calls for {description:?}, expected exactly one"
    );

    ui::show_view(c, "settings").await?;
    ui::screenshot(c, &world.artifacts, "4-settings").await?;
    Ok(())
}

/// Checks a notification against what a user must and must not read in it, and returns the
/// History status it announces.
fn check_notification(
    n: &NotifyCall,
    description: &str,
    assignee: &str,
    patients: &[String],
) -> Result<&'static str> {
    let (done, verb) = match n.summary.as_str() {
        "Task completed" => ("Completed", "Completed by"),
        "Task closed" => ("Closed", "Closed by"),
        other => {
            anyhow::bail!("summary {other:?}, expected \"Task completed\" (or \"Task closed\")")
        }
    };
    ensure!(n.app_name == "Taskbell", "app_name {:?}", n.app_name);
    let lines: Vec<&str> = n.body.lines().collect();
    ensure!(
        lines.first() == Some(&description),
        "the body's first line is not the description: {:?}",
        n.body
    );
    let who = lines
        .get(1)
        .and_then(|l| l.strip_prefix(verb))
        .map(str::trim)
        .with_context(|| format!("the body does not say who ({verb} …): {:?}", n.body))?;
    ensure!(
        who == assignee,
        "the body names {who:?} as the one who did it, expected the assignee {assignee:?}"
    );
    ensure!(
        lines.len() == 2,
        "the body has more than the description and who: {:?}",
        n.body
    );
    common::ensure_no_patient(&n.body, patients)?;
    ensure!(
        !n.body.contains("Patient"),
        "the body mentions a patient: {:?}",
        n.body
    );
    let expected =
        [("open", "Open in Canvas"), ("show", "Show")].map(|(a, b)| (a.to_string(), b.to_string()));
    ensure!(
        n.actions == expected,
        "actions {:?}, expected {expected:?}",
        n.actions
    );
    Ok(done)
}

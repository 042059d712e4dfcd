//! Work the sandbox's staff hand the user, as the user meets it: a desktop notification saying
//! a task was assigned to them (what it is and when it is due, not for which patient), the task
//! in For me, its "Mark done" button completing it in Canvas without touching anything else,
//! and a comment from the detail panel landing in Canvas once.
//!
//! The staff hand out one step of a rotation per pace: a task for the user, one for their team,
//! a comment on the user's or team's open work, a reassignment. At 15 s the first task for the
//! user comes soon after the window is up and is done before the staff's comment (about 45 s in,
//! so it falls on the team's task); the reassignment (about 60 s) finds none of the user's
//! tasks open and gives its turn to the next task for the user, which nothing else touches
//! until the next comment, about 30 s later.

mod common;

use anyhow::{ensure, Result};
use common::{clinic_names, unique, ClinicNames};
use taskbell_e2e::fhir_task::FhirTask;
use taskbell_e2e::monitor_parse::NotifyCall;
use taskbell_e2e::sandbox::SandboxApi;
use taskbell_e2e::{dunst, for_me, ui, Driven, Notifications, World};

const PACE: (&str, &str) = ("TASKBELL_SANDBOX_PACE_SECS", "15");
const ASSIGNED: &str = "Assigned to you";

/// What a Task's read may change when it is completed: nothing else.
const COMPLETION_CHANGES: &[&str] = &["status", "lastModified"];

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn work_assigned_to_the_user_is_announced_listed_done_from_its_notification_and_commented(
) -> Result<()> {
    let clinic = clinic_names().await?;
    let world = World::new("work", Notifications::Dunst)?;
    Driven::run_with(
        &world,
        &[PACE],
        async |_| Ok(()),
        async |app| steps(&world, app, &clinic).await,
    )
    .await
}

async fn steps(world: &World, app: &Driven, clinic: &ClinicNames) -> Result<()> {
    let monitor = world.monitor()?;
    let c = &app.client;
    ui::wait_live(c).await?;
    let sandbox = SandboxApi::from_app_log(&world.app_log()).await?;
    let me = format!("Practitioner/{}", clinic.user);

    // Announced and listed.
    let (first, first_id) = monitor
        .wait_for_shown("a Notify saying work was assigned to the user", |n| {
            n.summary == ASSIGNED
        })
        .await?;
    eprintln!("Notify captured (id {first_id}):\n{first:#?}");
    let description = check_assigned(&first, &clinic.patients)?;
    for_me::wait_row(c, &description).await?;
    ui::screenshot(c, &world.artifacts, "1-for-me").await?;
    let task = for_me::open_detail(c, &description).await?;
    let before = sandbox.task(&task).await?;
    check_handed_out(&before, &description, &me)?;

    // Mark done, pressed in the notification.
    dunst::press(&world.bus, first_id, "done")?;
    let after = sandbox
        .wait_task(&task, "Canvas to say the task is no longer open", |t| {
            t.status() != "requested"
        })
        .await?;
    ensure!(
        after.status() == "completed",
        "Mark done left Task/{task} {:?}, not completed",
        after.status()
    );
    let changed = before.changed_fields(&after, COMPLETION_CHANGES);
    ensure!(
        changed.is_empty(),
        "Mark done changed {changed:?} of Task/{task} besides its status:\nbefore {}\nafter  {}",
        before.0,
        after.0
    );
    ensure!(
        after.notes().len() == before.notes().len(),
        "Mark done changed the number of notes from {} to {}",
        before.notes().len(),
        after.notes().len()
    );
    for_me::wait_detail_status(c, "Completed").await?;

    // A comment from the detail panel, on the next task the staff assign.
    let (second, _) = monitor
        .wait_for_shown(
            "a second Notify saying work was assigned to the user",
            |n| n.summary == ASSIGNED && n.id.is_some_and(|id| id != first_id),
        )
        .await?;
    let description = check_assigned(&second, &clinic.patients)?;
    let task2 = for_me::open_detail(c, &description).await?;
    ensure!(
        task2 != task,
        "For me opened the completed Task/{task} again"
    );
    let before = sandbox.task(&task2).await?;
    check_handed_out(&before, &description, &me)?;
    let comment = unique("Called the patient back, they will come in on Monday");
    for_me::add_comment(c, &comment).await?;
    for_me::reveal_note(c, &comment).await?;
    ui::screenshot(c, &world.artifacts, "2-detail-panel").await?;
    let after = sandbox.task(&task2).await?;
    check_one_comment_added(&before, &after, &comment, &me)?;
    ensure!(
        after.status() == "requested",
        "commenting left Task/{task2} {:?}",
        after.status()
    );
    Ok(())
}

/// Checks an "Assigned to you" notification against what the user must and must not read in
/// it, and returns the task's description (its first line).
fn check_assigned(n: &NotifyCall, patients: &[String]) -> Result<String> {
    ensure!(n.app_name == "Taskbell", "app_name {:?}", n.app_name);
    let lines: Vec<&str> = n.body.lines().collect();
    let [description, due] = lines[..] else {
        anyhow::bail!(
            "the body is not the description and a due line: {:?}",
            n.body
        );
    };
    ensure!(
        !description.trim().is_empty(),
        "the body starts with an empty line: {:?}",
        n.body
    );
    ensure!(
        due.starts_with("Due "),
        "the second line does not say when it is due: {:?}",
        n.body
    );
    common::ensure_no_patient(&n.body, patients)?;
    let has = |key: &str, label: &str| n.actions.iter().any(|(k, l)| k == key && l == label);
    ensure!(
        has("done", "Mark done") && has("show", "Show"),
        "actions {:?} lack done/Mark done or show/Show",
        n.actions
    );
    // Open in Canvas comes only with a permalink, so it may be missing; nothing else belongs.
    let allowed = [
        ("done", "Mark done"),
        ("open", "Open in Canvas"),
        ("show", "Show"),
    ];
    let stray: Vec<_> = n
        .actions
        .iter()
        .filter(|(k, l)| !allowed.contains(&(k.as_str(), l.as_str())))
        .collect();
    ensure!(
        stray.is_empty(),
        "actions {stray:?} do not belong on it (all: {:?})",
        n.actions
    );
    Ok(description.to_string())
}

/// The task behind the notification, as the staff handed it out: open, the user's, and with
/// the fields that Mark done must keep (so "unchanged" is a check of something).
fn check_handed_out(t: &FhirTask, description: &str, me: &str) -> Result<()> {
    ensure!(t.status() == "requested", "not open in Canvas: {}", t.0);
    ensure!(
        t.description() == Some(description),
        "the window's task is not the notification's: {}",
        t.0
    );
    ensure!(t.owner() == Some(me), "not owned by {me}: {}", t.0);
    ensure!(
        !t.labels().is_empty() && t.due().is_some(),
        "no label or due time: {}",
        t.0
    );
    Ok(())
}

/// The comment is in Canvas once, as the user's, after the notes that were there. A colleague's
/// comment that the staff add meanwhile is theirs, not the app's, and is let be.
fn check_one_comment_added(
    before: &FhirTask,
    after: &FhirTask,
    comment: &str,
    me: &str,
) -> Result<()> {
    let (was, now) = (before.notes(), after.notes());
    ensure!(
        now.starts_with(&was),
        "the notes that were there changed:\nbefore {was:#?}\nafter  {now:#?}"
    );
    let added = &now[was.len()..];
    let mine: Vec<_> = added.iter().filter(|n| n.text == comment).collect();
    ensure!(
        mine.len() == 1,
        "{} notes with the comment's text were added, expected one: {added:#?}",
        mine.len()
    );
    ensure!(
        mine[0].author.as_deref() == Some(me),
        "the comment's author is {:?}, not {me}",
        mine[0].author
    );
    let others: Vec<_> = added
        .iter()
        .filter(|n| n.text != comment && n.author.as_deref() == Some(me))
        .collect();
    ensure!(
        others.is_empty(),
        "the app added notes besides the comment: {others:#?}"
    );
    if added.len() > 1 {
        eprintln!("a colleague commented meanwhile: {added:#?}");
    }
    Ok(())
}

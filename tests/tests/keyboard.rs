//! The window with a keyboard alone, no mouse: a task is created with a patient and an assignee
//! picked from the suggestions, found in History, its timeline opened, and a setting changed.
//! Every view is tabbed through first: each control must be reached, show its focus and have a
//! name a screen reader announces (computed by axe-core's accessible-name algorithm).

mod common;

use anyhow::{ensure, Context, Result};
use common::unique;
use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::Value;
use taskbell_e2e::keyboard::{self, go_to_view, key, press, tab_through, tab_until, Stop};
use taskbell_e2e::wait::{until, Look, PATIENCE};
use taskbell_e2e::{ui, Driven, Notifications, World};

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn a_keyboard_alone_creates_a_task_finds_it_opens_its_timeline_and_changes_a_setting(
) -> Result<()> {
    let world = World::new("keyboard", Notifications::Dunst)?;
    Driven::run(&world, async |app| walk(&world, &app.client).await).await
}

async fn walk(world: &World, c: &Client) -> Result<()> {
    ui::wait_live(c).await?;
    c.set_window_size(1280, 800).await?;
    c.execute("document.activeElement?.blur();", vec![]).await?;

    go_to_view(c, "forme").await?;
    tab_through(c, "For me").await?;
    go_to_view(c, "new").await?;
    tab_through(c, "New task").await?;
    let description = unique("Call the pharmacy about a refill");
    let id = |want: &'static str| move |s: &Stop| s.id == want;
    tab_until(
        c,
        "New task",
        "the description",
        false,
        40,
        id("nt-description"),
    )
    .await?;
    press(c, &description).await?;
    tab_until(
        c,
        "New task",
        "the patient box",
        false,
        10,
        id("nt-patient"),
    )
    .await?;
    let patient = pick(c, "nt-patient", "Avery").await?;
    tab_until(c, "New task", "the assignee box", false, 10, id("nt-owner")).await?;
    let assignee = pick(c, "nt-owner", "Morgan").await?;
    tab_until(c, "New task", "Create task", false, 20, |s| {
        s.tag == "button" && s.name == "Create task"
    })
    .await?;
    press(c, &key(Key::Enter)).await?;
    let task_id = ui::wait_created(c, &description).await?;
    ui::screenshot(c, &world.artifacts, "1-created").await?;

    go_to_view(c, "history").await?;
    tab_through(c, "History").await?;
    tab_until(c, "History", "the search box", false, 80, id("h-search")).await?;
    press(c, &description).await?;
    let row = until("History to list only the new task", PATIENCE, || async {
        let rows = ui::history_rows(c).await?;
        Ok(match rows.as_slice() {
            [r] if r.description == description => Look::Done(r.clone()),
            _ => Look::NotYet(format!("{} row(s)", rows.len())),
        })
    })
    .await?;
    ensure!(
        row.patient == patient,
        "History shows patient {:?} for a task created with {patient:?}",
        row.patient
    );
    tab_until(c, "History", "the task's row", false, 20, |s| {
        s.classes.contains("pick") && s.name == description
    })
    .await?;
    press(c, &key(Key::Enter)).await?;
    let title = until("the task's timeline to open", PATIENCE, || async {
        Ok(match ui::text_of(c, "aside.timeline #tl-title").await? {
            Some(t) => Look::Done(t),
            None => Look::NotYet("no timeline".into()),
        })
    })
    .await?;
    ensure!(
        title == description,
        "the timeline opened for {title:?}, not {description:?}"
    );
    tab_until(
        c,
        "History",
        "the timeline's Close button",
        false,
        20,
        |s| s.name == "Close timeline",
    )
    .await?;
    ui::screenshot(c, &world.artifacts, "2-timeline").await?;

    go_to_view(c, "settings").await?;
    tab_through(c, "Settings").await?;
    let before = sound_setting(c).await?;
    tab_until(c, "Settings", "Play a sound", false, 80, |s| {
        s.name == "Play a sound"
    })
    .await?;
    press(c, &key(Key::Space)).await?;
    tab_until(c, "Settings", "Save settings", false, 40, |s| {
        s.tag == "button" && s.name == "Save settings"
    })
    .await?;
    press(c, &key(Key::Enter)).await?;
    until("Settings to say they were saved", PATIENCE, || async {
        let said = ui::text_of(c, ".save-result").await?.unwrap_or_default();
        Ok(if said.contains("Settings saved.") {
            Look::Done(())
        } else {
            Look::NotYet(format!("it says {said:?}"))
        })
    })
    .await?;
    let after = sound_setting(c).await?;
    ensure!(
        after != before,
        "Space on \"Play a sound\" and Enter on Save left the saved setting at {after}"
    );
    eprintln!("created {task_id} for {patient} and {assignee}; sound {before} → {after}");
    Ok(())
}

/// Types `query` into the combobox that has focus, waits for its suggestions, and picks the
/// first with the arrow key and Enter; returns the name the box then holds.
async fn pick(c: &Client, id: &str, query: &str) -> Result<String> {
    press(c, query).await?;
    let first = format!("#{id}-list li[role=option]");
    until(&format!("suggestions for {query:?}"), PATIENCE, || async {
        Ok(match ui::text_of(c, &first).await? {
            Some(_) => Look::Done(()),
            None => Look::NotYet("none yet".into()),
        })
    })
    .await?;
    press(c, &key(Key::Down)).await?;
    let active = keyboard::focused(c).await?;
    ensure!(
        active.id == id,
        "the arrow key moved focus away from the box, to {active}"
    );
    let option = ui::text_of(c, &format!("#{id}-list li[aria-selected=true] .name"))
        .await?
        .with_context(|| format!("no suggestion is marked as chosen under #{id}"))?;
    press(c, &key(Key::Enter)).await?;
    until(&format!("{option:?} to fill #{id}"), PATIENCE, || async {
        let v = ui::value_of(c, id).await?;
        Ok(if v == option {
            Look::Done(v)
        } else {
            Look::NotYet(format!("the box holds {v:?}"))
        })
    })
    .await
}

/// The saved "Play a sound" setting, as the shell returns it.
async fn sound_setting(c: &Client) -> Result<bool> {
    let v = c
        .execute_async(
            "const done = arguments[arguments.length - 1]; window.__TAURI_INTERNALS__.invoke('get_settings').then(s => done(s.notify.sound), e => done({ error: String(e) }));",
            vec![],
        )
        .await?;
    match v {
        Value::Bool(b) => Ok(b),
        other => anyhow::bail!("get_settings answered {other}"),
    }
}

//! Nothing typed is lost when the window goes: Esc in a field with text only leaves the field,
//! a second Esc closes the window (which destroys it), and the New task draft is back when the
//! tray builds the window again.

mod common;

use anyhow::{bail, ensure, Result};
use common::unique;
use fantoccini::key::Key;
use fantoccini::Client;
use taskbell_e2e::keyboard::{focused, key, press};
use taskbell_e2e::wait::{until, Look, PATIENCE};
use taskbell_e2e::{ui, Driven, Notifications, TrayMenu, World};

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn an_unsent_draft_survives_closing_the_window_and_reopening_it_from_the_tray() -> Result<()>
{
    let world = World::new("draft", Notifications::Dunst)?;
    Driven::run(&world, async |app| steps(&world, app).await).await
}

async fn steps(world: &World, app: &Driven) -> Result<()> {
    let c = &app.client;
    ui::wait_live(c).await?;
    ui::show_view(c, "new").await?;
    let description = unique("Order a wheelchair for the next visit");
    let comment = "Ask for the wide model.";
    type_into(c, "nt-description", &description).await?;
    type_into(c, "nt-comment", comment).await?;

    // Esc inside the comment, which has text: the window stays, focus leaves the field.
    press(c, &key(Key::Escape)).await?;
    let first = c.window().await?;
    ensure!(
        c.windows().await? == vec![first.clone()],
        "Esc inside a field with text closed the window"
    );
    let now = focused(c).await?;
    ensure!(
        now.id != "nt-comment",
        "Esc inside the comment left focus in it"
    );
    ensure!(
        ui::value_of(c, "nt-comment").await? == comment,
        "Esc inside the comment changed its text"
    );

    // Esc again, outside any field: the window closes. The driver may answer the key with an
    // error when the window is gone before it replies; whether it closed is checked next.
    if let Err(e) = press(c, &key(Key::Escape)).await {
        eprintln!("the closing Esc was answered with: {e:#}");
    }
    until("the window to close", PATIENCE, || async {
        let open = c.windows().await?;
        Ok(if open.contains(&first) {
            Look::NotYet(format!("{} window(s) open", open.len()))
        } else {
            Look::Done(())
        })
    })
    .await?;

    TrayMenu::find(&world.bus, app.app_pid())?.click("New task…")?;
    let rebuilt = until("the tray to build a new window", PATIENCE, || async {
        let open = c.windows().await?;
        Ok(match open.into_iter().find(|w| *w != first) {
            Some(w) => Look::Done(w),
            None => Look::NotYet("no window".into()),
        })
    })
    .await?;
    c.switch_to_window(rebuilt).await?;
    ui::wait_view(c, "new").await?;
    for (id, want) in [
        ("nt-description", description.as_str()),
        ("nt-comment", comment),
    ] {
        until(
            &format!("#{id} to hold the draft again"),
            PATIENCE,
            || async {
                let v = ui::value_of(c, id).await?;
                Ok(if v == want {
                    Look::Done(())
                } else {
                    Look::NotYet(format!("it holds {v:?}"))
                })
            },
        )
        .await?;
    }
    ui::screenshot(c, &world.artifacts, "draft-restored").await?;
    Ok(())
}

/// Clicks into the field and types, as a user does.
async fn type_into(c: &Client, id: &str, text: &str) -> Result<()> {
    let field = c.find(fantoccini::Locator::Id(id)).await?;
    field.click().await?;
    press(c, text).await?;
    let v = ui::value_of(c, id).await?;
    if v != text {
        bail!("#{id} holds {v:?} after typing {text:?}");
    }
    Ok(())
}

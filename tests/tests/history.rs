//! History shows what the user put in a task. Kept apart from the notification test because it
//! fails for a reason of its own (see the assertion's message).

mod common;

use anyhow::{ensure, Context, Result};
use common::unique;
use taskbell_e2e::{ui, Driven, Notifications, World};

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn a_patient_picked_in_the_form_shows_in_history() -> Result<()> {
    let world = World::new("history-patient", Notifications::Dunst)?;
    Driven::run(&world, async |app| steps(app).await).await
}

async fn steps(app: &Driven) -> Result<()> {
    let c = &app.client;
    ui::wait_live(c).await?;
    let description = unique("Request prior authorisation");
    let draft = ui::Draft {
        description: &description,
        patient: Some("Avery"),
        assignee: None,
    };
    let created = ui::create_task(c, draft).await?;
    let patient = created.patient.context("no patient was picked")?;
    let row = ui::wait_history_row(c, &description, "the new task in History", |_| true).await?;
    // The live push of "created" carries no patient (the plugin sends one only with
    // INCLUDE_PATIENT_DETAILS on) and reaches the app before Canvas answers the POST; the app's
    // own "created" event, which has the patient, then counts as older and is not applied.
    let shown = ui::wait_history_row(
        c,
        &description,
        &format!("History to show patient {patient:?}"),
        |r| r.patient == patient,
    )
    .await
    .with_context(|| {
        format!(
            "History shows {:?} for a task created with patient {patient:?}",
            row.patient
        )
    })?;
    ensure!(shown.patient == patient);
    Ok(())
}

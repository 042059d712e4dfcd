//! Every view of the real window, audited with axe-core in the light and the dark theme, then
//! zoomed to 200 % in a 1280×800 window and checked for anything cut off. The theme is the
//! desktop's: the app is started with GTK's dark variant or without it, and follows it on its own.
//! Each view's screenshot is kept (`<theme>/<view>.png`); `make screenshots` copies the README's.

mod common;

use anyhow::{bail, ensure, Context, Result};
use fantoccini::{Client, Locator};
use taskbell_e2e::artifacts::Artifacts;
use taskbell_e2e::axe::{self, Violation};
use taskbell_e2e::wait::{until, Look, PATIENCE};
use taskbell_e2e::{for_me, keyboard, layout, ui, Driven, Notifications, World};

/// Rules of impact moderate or minor that the window breaks on purpose, with the reason; tests/README.md
/// lists the same. Any other violation fails the audit.
const ACCEPTED: &[(&str, &str)] = &[];

/// The staff hand the user work this often, so For me has a task to open soon after start.
const PACE: (&str, &str) = ("TASKBELL_SANDBOX_PACE_SECS", "5");

/// What the user hands Canvas in the audit, in turn, until the staff complete one.
const DESCRIPTIONS: [&str; 8] = [
    "Call back about lab results",
    "Fax referral to cardiology",
    "Request prior authorisation for the MRI",
    "Send the visit summary to the patient",
    "Order a wheelchair for the next visit",
    "Confirm the interpreter for Tuesday",
    "Update the pharmacy on file",
    "Scan the signed consent form",
];

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn every_view_passes_an_accessibility_audit_in_the_light_theme() -> Result<()> {
    audit_in("light", "Adwaita").await
}

#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn every_view_passes_an_accessibility_audit_in_the_dark_theme() -> Result<()> {
    audit_in("dark", "Adwaita:dark").await
}

/// A desktop set to larger text (GNOME's Large Text or KDE's font DPI raise GTK's font
/// resolution; `GDK_DPI_SCALE` does the same for one app) gets larger text in the window, and
/// History's rows grow with it rather than cutting their second line.
#[tokio::test(flavor = "current_thread")]
#[ignore = "end-to-end: needs Xvfb, D-Bus and the built app; run `make test-e2e`"]
async fn the_window_text_follows_the_desktops_font_size() -> Result<()> {
    let world = World::new("text-scale", Notifications::Dunst)?;
    Driven::run_with(
        &world,
        // The staff's handed-out work gives History rows without a click, which WebKitWebDriver
        // places wrongly under a scaled font resolution.
        &[("GDK_DPI_SCALE", "1.5"), PACE],
        async |_| Ok(()),
        async |app| {
            let c = &app.client;
            ui::wait_live(c).await?;
            let sizes = c
                .execute(
                    "return [getComputedStyle(document.documentElement).fontSize, getComputedStyle(document.body).fontSize];",
                    vec![],
                )
                .await?;
            ensure!(
                sizes == serde_json::json!(["24px", "22.5px"]),
                "with the desktop's text 1.5 times larger, the root and body font sizes are {sizes}, not 24px and 22.5px"
            );
            c.execute("document.activeElement?.blur();", vec![]).await?;
            keyboard::go_to_view(c, "history").await?;
            wait_for(c, "History to list tasks", "[data-testid=history-row]", "").await?;
            let height = c
                .execute(
                    "return document.querySelector('[data-testid=history-row]').getBoundingClientRect().height;",
                    vec![],
                )
                .await?;
            ensure!(
                height.as_f64() == Some(84.0),
                "a History row is {height} px high; 3.5 rem at 24 px is 84"
            );
            ui::screenshot(c, &world.artifacts, "history-large-text").await?;
            Ok(())
        },
    )
    .await
}

async fn audit_in(theme: &str, gtk_theme: &str) -> Result<()> {
    let world = World::new(&format!("accessibility-{theme}"), Notifications::Dunst)?;
    Driven::run_with(
        &world,
        &[("GTK_THEME", gtk_theme), PACE],
        async |_| Ok(()),
        async |app| tour(&world.artifacts, &app.client, theme).await,
    )
    .await
}

async fn tour(artifacts: &Artifacts, c: &Client, theme: &str) -> Result<()> {
    ui::wait_live(c).await?;
    c.set_window_size(1280, 800)
        .await
        .context("making the window 1280×800")?;
    // The desktop asked for this theme before the window existed: it is there from the start.
    let luminance = ui::background_luminance(c).await?;
    ensure!(
        (luminance < 0.5) == (theme == "dark"),
        "the desktop asked for the {theme} theme, but the window's background has luminance {luminance:.2}"
    );
    audit_sees_a_planted_fault(c).await?;
    let mut audits = Audits::default();

    // New task, and its patient suggestions open.
    ui::show_view(c, "new").await?;
    audits.run(c, artifacts, "new-task").await?;
    open_suggestions(c).await?;
    audits.run(c, artifacts, "new-task-suggestions").await?;
    c.find(Locator::Css("button[aria-label='Clear patient']"))
        .await?
        .click()
        .await?;

    // History with rows, its chart and a timeline.
    // Tasks until the staff complete one (they close one in five instead), so History has a
    // completion to chart. Plain descriptions: each test has a data dir of its own, and these
    // read well in the README's screenshots.
    let mut completed = false;
    for description in DESCRIPTIONS {
        let draft = ui::Draft {
            description,
            patient: Some("Avery"),
            assignee: Some("Morgan"),
        };
        ui::create_task(c, draft).await?;
        let row = ui::wait_history_row(c, description, "the staff to finish it", |r| {
            r.status != "Open"
        })
        .await?;
        if row.status == "Completed" {
            completed = true;
            break;
        }
    }
    ensure!(
        completed,
        "the staff closed all {} tasks and completed none",
        DESCRIPTIONS.len()
    );
    // The chart refreshes at most once a second after the list.
    until("the chart to count a completion", PATIENCE, || async {
        let total = ui::text_of(c, ".chart .total strong")
            .await?
            .unwrap_or_default();
        Ok(match total.parse::<u32>() {
            Ok(n) if n > 0 => Look::Done(()),
            _ => Look::NotYet(format!("the chart says {total:?}")),
        })
    })
    .await?;
    audits.run(c, artifacts, "history").await?;
    c.find(Locator::Css("[data-testid=history-row] button.pick"))
        .await?
        .click()
        .await?;
    wait_for(c, "the timeline to open", "aside.timeline", "").await?;
    audits.run(c, artifacts, "history-timeline").await?;

    // For me, and a task's detail panel.
    ui::show_view(c, "forme").await?;
    let first = until("the staff to hand the user a task", PATIENCE, || async {
        let rows = for_me::rows(c).await?;
        Ok(match rows.into_iter().next() {
            Some(r) => Look::Done(r),
            None => Look::NotYet("For me is empty".into()),
        })
    })
    .await?;
    audits.run(c, artifacts, "for-me").await?;
    for_me::open_detail(c, &first).await?;
    audits.run(c, artifacts, "for-me-detail").await?;

    ui::show_view(c, "settings").await?;
    audits.run(c, artifacts, "settings").await?;

    audits.verdict()?;
    zoomed(artifacts, c).await
}

/// An image without a text alternative, put in the page for a moment, is reported: the audit
/// runs in this page and can fail.
async fn audit_sees_a_planted_fault(c: &Client) -> Result<()> {
    let plant = "const i = document.createElement('img'); i.id = 'planted'; i.src = 'data:,'; document.body.append(i);";
    let found = with_planted(c, plant, || axe::audit(c)).await?;
    ensure!(
        found.iter().any(|v| v.rule == "image-alt"
            && v.blocks()
            && v.targets.iter().any(|t| t.contains("planted"))),
        "axe did not report an image without alt text; it found: {found:?}"
    );
    Ok(())
}

/// Runs `check` while the element `plant` adds (id `planted`) is in the page.
async fn with_planted<T, F: std::future::Future<Output = Result<T>>>(
    c: &Client,
    plant: &str,
    check: impl FnOnce() -> F,
) -> Result<T> {
    c.execute(plant, vec![]).await?;
    let found = check().await;
    c.execute("document.getElementById('planted').remove();", vec![])
        .await?;
    found
}

/// Types into the patient box until its suggestions show.
async fn open_suggestions(c: &Client) -> Result<()> {
    let input = c.find(Locator::Id("nt-patient")).await?;
    input.clear().await?;
    input.send_keys("Av").await?;
    c.wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css("#nt-patient-list li[role=option]"))
        .await
        .context("no patient suggestions appeared")?;
    Ok(())
}

/// Waits until an element matching `css` exists and its text contains `text`.
async fn wait_for(c: &Client, what: &str, css: &str, text: &str) -> Result<()> {
    let script = "return Array.from(document.querySelectorAll(arguments[0])).some(e => e.innerText.includes(arguments[1]));";
    until(what, PATIENCE, || async {
        let found = c.execute(script, vec![css.into(), text.into()]).await?;
        Ok(if found.as_bool() == Some(true) {
            Look::Done(())
        } else {
            Look::NotYet(format!("no {css} with {text:?}"))
        })
    })
    .await
}

/// Every view's violations, judged at the end so one run reports them all.
#[derive(Default)]
struct Audits {
    failures: Vec<String>,
}

impl Audits {
    async fn run(&mut self, c: &Client, artifacts: &Artifacts, view: &str) -> Result<()> {
        ui::screenshot(c, artifacts, view).await?;
        let found = axe::audit(c).await?;
        let report: String = found.iter().map(|v| format!("{v}\n")).collect();
        artifacts.save(&format!("axe-{view}.txt"), report.as_bytes())?;
        for v in found {
            if let Some(problem) = judge(&v) {
                self.failures.push(format!("{view}: {problem}"));
            }
        }
        Ok(())
    }

    fn verdict(&self) -> Result<()> {
        if self.failures.is_empty() {
            return Ok(());
        }
        bail!(
            "the accessibility audit found:\n{}",
            self.failures.join("\n")
        )
    }
}

fn judge(v: &Violation) -> Option<String> {
    if v.blocks() {
        return Some(v.to_string());
    }
    if ACCEPTED.iter().any(|(rule, _)| *rule == v.rule) {
        return None;
    }
    Some(format!(
        "{v} — fix it, or list the rule in ACCEPTED and tests/README.md with the reason"
    ))
}

/// At 200 % every view still shows all its text and controls, scrolling where it must.
async fn zoomed(artifacts: &Artifacts, c: &Client) -> Result<()> {
    let full = layout::css_width(c).await?;
    layout::zoom_to(c, 200, full).await?;
    layout_check_sees_a_planted_cut(c).await?;
    let mut cut = Vec::new();
    for view in ["forme", "new", "history", "settings"] {
        // By keyboard: WebKitWebDriver clicks at unzoomed coordinates.
        c.execute("document.activeElement?.blur();", vec![]).await?;
        keyboard::go_to_view(c, view).await?;
        ui::screenshot(c, artifacts, &format!("zoom-200-{view}")).await?;
        cut.extend(
            layout::cut_off(c)
                .await?
                .into_iter()
                .map(|p| format!("{view}: {p}")),
        );
    }
    layout::zoom_to(c, 100, full).await?;
    ensure!(
        cut.is_empty(),
        "at 200 % zoom in a 1280×800 window, the window cuts off:\n{}",
        cut.join("\n")
    );
    Ok(())
}

/// A button too narrow for its words, put in the page for a moment, is reported: the layout
/// check can fail.
async fn layout_check_sees_a_planted_cut(c: &Client) -> Result<()> {
    let plant = "const b = document.createElement('button'); b.id = 'planted'; b.style.cssText = 'width: 40px; white-space: nowrap; overflow: hidden'; b.textContent = 'A label far too long'; document.querySelector('header').append(b);";
    let cut = with_planted(c, plant, || layout::cut_off(c)).await?;
    ensure!(
        cut.iter().any(|p| p.contains("id=planted")),
        "the layout check missed a 40 px button holding a long label; it found: {cut:?}"
    );
    Ok(())
}

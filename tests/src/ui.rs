//! What a user does in the window, as WebDriver steps: switch views, fill the New task form,
//! read History and the status bar. Every read first waits for what it reads to be there, since
//! the window renders asynchronously after each event from the shell.

use crate::artifacts::Artifacts;
use crate::wait::{until, Look, PATIENCE};
use anyhow::{bail, Context, Result};
use fantoccini::{Client, Locator};
use std::path::PathBuf;

/// A History row as the user sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub description: String,
    /// The badge's words: "Open", "Completed", "Closed".
    pub status: String,
    pub patient: String,
}

/// The rendered text (`innerText`) of the first element matching `css`, or `None`. Read in the
/// page rather than with WebDriver's Get Element Text, which WebKitWebDriver answers with ""
/// for some elements whose text is plainly shown (the status bar's "Sandbox · live").
pub async fn text_of(c: &Client, css: &str) -> Result<Option<String>> {
    let v = c
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText.trim() : null;",
            vec![css.into()],
        )
        .await?;
    Ok(v.as_str().map(str::to_string))
}

/// The value of the form field with id `id`, read in the page.
pub async fn value_of(c: &Client, id: &str) -> Result<String> {
    let v = c
        .execute(
            "const e = document.getElementById(arguments[0]); return e ? e.value : null;",
            vec![id.into()],
        )
        .await?;
    v.as_str()
        .map(str::to_string)
        .with_context(|| format!("no #{id} in the window"))
}

pub async fn status_line(c: &Client) -> Result<String> {
    text_of(c, "[data-testid=status]")
        .await?
        .context("the window has no status bar")
}

/// Waits until the status bar's text satisfies `pred`.
pub async fn wait_status(c: &Client, what: &str, pred: impl Fn(&str) -> bool) -> Result<String> {
    until(what, PATIENCE, || async {
        let s = status_line(c).await?;
        Ok(if pred(&s) {
            Look::Done(s)
        } else {
            Look::NotYet(format!("status {s:?}"))
        })
    })
    .await
}

/// Waits for the sandbox connection to be live, so a new task is sent at once rather than queued.
pub async fn wait_live(c: &Client) -> Result<String> {
    wait_status(c, "the status to say the sandbox is live", |s| {
        s.contains("Sandbox · live")
    })
    .await
}

/// The view whose tab is selected.
pub async fn selected_view(c: &Client) -> Result<Option<String>> {
    let v = c
        .execute(
            "const t = document.querySelector('[role=tab][aria-selected=true]'); return t ? t.id.replace(/^tab-/, '') : null;",
            vec![],
        )
        .await?;
    Ok(v.as_str().map(str::to_string))
}

/// Waits until `view` ("new", "history", "settings") is the one shown.
pub async fn wait_view(c: &Client, view: &str) -> Result<()> {
    until(
        &format!("the {view} view to be shown"),
        PATIENCE,
        || async {
            let selected = selected_view(c).await?;
            let panel = c.find(Locator::Id(&format!("panel-{view}"))).await;
            let shown = match panel {
                Ok(p) => p.is_displayed().await?,
                Err(_) => false,
            };
            Ok(if selected.as_deref() == Some(view) && shown {
                Look::Done(())
            } else {
                Look::NotYet(format!("selected tab {selected:?}, panel shown {shown}"))
            })
        },
    )
    .await
}

/// Clicks a view's tab and waits for the view.
pub async fn show_view(c: &Client, view: &str) -> Result<()> {
    c.wait()
        .at_most(PATIENCE)
        .for_element(Locator::Id(&format!("tab-{view}")))
        .await?
        .click()
        .await?;
    wait_view(c, view).await
}

/// What to fill in the New task form. Patient and assignee are typed as search text and the
/// first suggestion picked, as a user does.
#[derive(Debug, Clone, Copy, Default)]
pub struct Draft<'a> {
    pub description: &'a str,
    pub patient: Option<&'a str>,
    pub assignee: Option<&'a str>,
}

/// A task the window confirmed: its Canvas id and the names picked in the form.
#[derive(Debug, Clone)]
pub struct Created {
    pub task_id: String,
    pub patient: Option<String>,
    pub assignee: Option<String>,
}

/// Creates a task through the New task form, then Create task.
pub async fn create_task(c: &Client, draft: Draft<'_>) -> Result<Created> {
    let description = draft.description;
    show_view(c, "new").await?;
    let input = c
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Id("nt-description"))
        .await?;
    input.clear().await?;
    input.send_keys(description).await?;
    let typed = input.prop("value").await?.unwrap_or_default();
    if typed != description {
        bail!("the description box holds {typed:?} after typing {description:?}");
    }
    let patient = match draft.patient {
        Some(query) => Some(pick(c, "nt-patient", query).await?),
        None => None,
    };
    let assignee = match draft.assignee {
        Some(query) => Some(pick(c, "nt-owner", query).await?),
        None => None,
    };
    c.find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    let task_id = wait_created(c, description).await?;
    Ok(Created {
        task_id,
        patient,
        assignee,
    })
}

/// Waits for the New task form to confirm `description` was created, and returns its task id.
pub async fn wait_created(c: &Client, description: &str) -> Result<String> {
    until(
        &format!("the window to confirm {description:?} was created"),
        PATIENCE,
        || async {
            if let Some(err) = text_of(c, "[data-testid=create-error]").await? {
                bail!("the window says the task was not created: {err}");
            }
            let Some(text) = text_of(c, "[data-testid=create-outcome]").await? else {
                return Ok(Look::NotYet("no outcome shown".into()));
            };
            if !text.contains(description) {
                return Ok(Look::NotYet(format!("outcome {text:?}")));
            }
            if !text.starts_with("Task created.") {
                bail!("the task was not sent at once: {text:?}");
            }
            let id = text_of(c, "[data-testid=create-outcome] .mono")
                .await?
                .context("the outcome shows no task id")?;
            Ok(Look::Done(id))
        },
    )
    .await
}

/// Types `query` into the typeahead `id` and picks the first suggestion; returns its name.
async fn pick(c: &Client, id: &str, query: &str) -> Result<String> {
    let input = c.find(Locator::Id(id)).await?;
    input.send_keys(query).await?;
    let first = format!("#{id}-list li[role=option]");
    let option = c
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&first))
        .await
        .with_context(|| format!("no suggestions for {query:?} appeared under #{id}"))?;
    let name = text_of(c, &format!("{first} .name"))
        .await?
        .context("a suggestion without a name")?;
    option.click().await?;
    until(
        &format!("the picked {name:?} to fill #{id}"),
        PATIENCE,
        || async {
            let v = c
                .find(Locator::Id(id))
                .await?
                .prop("value")
                .await?
                .unwrap_or_default();
            Ok(if v == name {
                Look::Done(())
            } else {
                Look::NotYet(format!("box holds {v:?}"))
            })
        },
    )
    .await?;
    Ok(name)
}

/// The rows History shows now.
pub async fn history_rows(c: &Client) -> Result<Vec<Row>> {
    let v = c
        .execute(
            r#"return Array.from(document.querySelectorAll('[data-testid="history-row"]')).map(r => ({
                 description: (r.querySelector('.desc')?.textContent ?? '').trim(),
                 status: (r.querySelector('[data-testid="status-badge"]')?.textContent ?? '').trim(),
                 patient: (r.querySelector('.patient')?.textContent ?? '').trim(),
               }));"#,
            vec![],
        )
        .await?;
    let rows = v.as_array().context("the row script returned no array")?;
    Ok(rows
        .iter()
        .map(|r| {
            let s = |k: &str| r.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            Row {
                description: s("description"),
                status: s("status"),
                patient: s("patient"),
            }
        })
        .collect())
}

/// Shows History and waits for the row of `description` to satisfy `pred`.
pub async fn wait_history_row(
    c: &Client,
    description: &str,
    what: &str,
    pred: impl Fn(&Row) -> bool,
) -> Result<Row> {
    show_view(c, "history").await?;
    until(what, PATIENCE, || async {
        let rows = history_rows(c).await?;
        Ok(match rows.iter().find(|r| r.description == description) {
            Some(r) if pred(r) => Look::Done(r.clone()),
            Some(r) => Look::NotYet(format!("row {r:?}")),
            None => Look::NotYet(format!("no row for it among {} row(s)", rows.len())),
        })
    })
    .await
}

/// Saves what the webview shows as `<name>.png` in the test's artifacts.
///
/// Two animation frames are awaited first: WebKitWebDriver's screenshot is the last painted
/// frame, which right after a DOM change can still be an older one (a run showed "Starting…"
/// in a status bar whose text already said "Sandbox · live").
pub async fn screenshot(c: &Client, artifacts: &Artifacts, name: &str) -> Result<PathBuf> {
    c.execute_async(
        "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(null)));",
        vec![],
    )
    .await
    .context("waiting for the page to paint before a screenshot")?;
    let png = c
        .screenshot()
        .await
        .context("taking a WebDriver screenshot")?;
    artifacts.save(&format!("{name}.png"), &png)
}

/// The relative luminance of the page's background, 0 (black) to 1 (white): below one half, the
/// window is in its dark theme.
pub async fn background_luminance(c: &Client) -> Result<f64> {
    let v = c
        .execute(
            "const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number); return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;",
            vec![],
        )
        .await?;
    v.as_f64().context("the page has no background colour")
}

/// Waits until the window shows its dark (or light) theme.
pub async fn wait_theme(c: &Client, dark: bool) -> Result<f64> {
    let want = if dark { "dark" } else { "light" };
    until(&format!("the window to turn {want}"), PATIENCE, || async {
        let l = background_luminance(c).await?;
        Ok(if (l < 0.5) == dark {
            Look::Done(l)
        } else {
            Look::NotYet(format!("a background of luminance {l:.2}"))
        })
    })
    .await
}

/// The availability banner's text, if it is shown.
pub async fn banner(c: &Client) -> Result<Option<String>> {
    text_of(c, "[data-testid=availability-banner]").await
}

/// After a failed step: saves `failure.png` and the page's text, so the report shows what the
/// window looked like. Errors here are printed, not returned: the step's own error matters.
pub async fn keep_evidence<T>(c: &Client, artifacts: &Artifacts, outcome: &Result<T>) {
    if outcome.is_ok() {
        return;
    }
    if let Err(e) = screenshot(c, artifacts, "failure").await {
        eprintln!("no failure screenshot: {e:#}");
    }
    match text_of(c, "body").await {
        Ok(Some(text)) => {
            let _ = artifacts.save("failure-page.txt", text.as_bytes());
        }
        Ok(None) => {}
        Err(e) => eprintln!("no page text: {e:#}"),
    }
}

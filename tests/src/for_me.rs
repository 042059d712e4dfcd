//! The For me view and its task detail panel, as WebDriver steps: find a task's row, open its
//! detail, read the task's id, status and comments there, add a comment. Rows are found by
//! description, as a user finds them; the id is read from the panel, which shows it.

use crate::ui::{show_view, text_of};
use crate::wait::{until, Look, PATIENCE};
use anyhow::{bail, Context, Result};
use fantoccini::{Client, Locator};

const DETAIL: &str = "aside.detail";

/// A comment as the panel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownNote {
    /// "You" for the user's own.
    pub author: String,
    pub text: String,
}

/// The descriptions of the rows For me lists now, in order.
pub async fn rows(c: &Client) -> Result<Vec<String>> {
    let v = c
        .execute(
            r#"return Array.from(document.querySelectorAll('[data-testid="forme-row"]'))
                 .map(r => (r.querySelector('.desc')?.innerText ?? '').trim());"#,
            vec![],
        )
        .await?;
    let rows = v.as_array().context("the row script returned no array")?;
    Ok(rows
        .iter()
        .map(|r| r.as_str().unwrap_or("").to_string())
        .collect())
}

/// Shows For me and waits until it lists exactly one row for `description`: two would leave
/// the user (and the test) unsure which task is which.
pub async fn wait_row(c: &Client, description: &str) -> Result<()> {
    show_view(c, "forme").await?;
    until(
        &format!("For me to list one row for {description:?}"),
        PATIENCE,
        || async {
            let rows = rows(c).await?;
            let n = rows.iter().filter(|r| *r == description).count();
            Ok(if n == 1 {
                Look::Done(())
            } else {
                Look::NotYet(format!("{n} such rows among {rows:?}"))
            })
        },
    )
    .await
}

/// Opens the detail of `description`'s row and returns the task id the panel shows. A panel
/// already open is closed first, so what is read after is surely the new task's.
pub async fn open_detail(c: &Client, description: &str) -> Result<String> {
    wait_row(c, description).await?;
    if let Ok(close) = c
        .find(Locator::Css(&format!("{DETAIL} button.close")))
        .await
    {
        close.click().await?;
        until("the open task detail to close", PATIENCE, || async {
            Ok(match c.find(Locator::Css(DETAIL)).await {
                Ok(_) => Look::NotYet("still open".into()),
                Err(_) => Look::Done(()),
            })
        })
        .await?;
    }
    let index = rows(c)
        .await?
        .iter()
        .position(|r| r == description)
        .with_context(|| format!("the row for {description:?} went away"))?;
    c.find(Locator::Id(&format!("fm-row-{index}")))
        .await?
        .click()
        .await?;
    until(
        &format!("the detail panel to show {description:?} with its id"),
        PATIENCE,
        || async {
            let title = text_of(c, &format!("{DETAIL} #td-title")).await?;
            let id = text_of(c, &format!("{DETAIL} .meta .id")).await?;
            Ok(match (title.as_deref(), id) {
                (Some(t), Some(id)) if t == description => match id.strip_prefix('#') {
                    Some(id) if !id.is_empty() => Look::Done(id.to_string()),
                    _ => Look::NotYet(format!("an id reading {id:?}")),
                },
                (t, id) => Look::NotYet(format!("title {t:?}, id {id:?}")),
            })
        },
    )
    .await
}

/// The status badge's words in the open detail ("Open", "Completed", "Closed").
pub async fn detail_status(c: &Client) -> Result<Option<String>> {
    text_of(c, &format!("{DETAIL} .meta [data-testid=status-badge]")).await
}

pub async fn wait_detail_status(c: &Client, status: &str) -> Result<()> {
    until(
        &format!("the task detail to say {status:?}"),
        PATIENCE,
        || async {
            let shown = detail_status(c).await?;
            Ok(if shown.as_deref() == Some(status) {
                Look::Done(())
            } else {
                Look::NotYet(format!("status {shown:?}"))
            })
        },
    )
    .await
}

/// The comments the open detail lists, oldest first.
pub async fn detail_notes(c: &Client) -> Result<Vec<ShownNote>> {
    let v = c
        .execute(
            r#"return Array.from(document.querySelectorAll('aside.detail ol.notes > li')).map(n => ({
                 author: (n.querySelector('.head strong')?.innerText ?? '').trim(),
                 text: (n.querySelector('.text')?.innerText ?? '').trim(),
               }));"#,
            vec![],
        )
        .await?;
    let notes = v.as_array().context("the notes script returned no array")?;
    Ok(notes
        .iter()
        .map(|n| {
            let s = |k: &str| n.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
            ShownNote {
                author: s("author"),
                text: s("text"),
            }
        })
        .collect())
}

/// Scrolls the open detail so the comment `text` is in sight, for a screenshot that shows it.
pub async fn reveal_note(c: &Client, text: &str) -> Result<()> {
    let found = c
        .execute(
            r#"const n = Array.from(document.querySelectorAll('aside.detail ol.notes > li'))
                 .find(li => (li.querySelector('.text')?.innerText ?? '').trim() === arguments[0]);
               if (n) n.scrollIntoView({block: 'center'});
               return n != null;"#,
            vec![text.into()],
        )
        .await?;
    if found.as_bool() != Some(true) {
        bail!("the detail panel lists no comment {text:?}");
    }
    Ok(())
}

/// Types `text` into the open detail's comment box, clicks Add comment, and waits for the
/// panel to list it as the user's. Fails at once if the panel says the comment was refused.
pub async fn add_comment(c: &Client, text: &str) -> Result<()> {
    let input = c
        .wait()
        .at_most(PATIENCE)
        .for_element(Locator::Css(&format!("{DETAIL} #td-comment")))
        .await?;
    input.send_keys(text).await?;
    let typed = input.prop("value").await?.unwrap_or_default();
    if typed != text {
        bail!("the comment box holds {typed:?} after typing {text:?}");
    }
    c.find(Locator::XPath(
        "//aside[contains(@class,'detail')]//button[normalize-space(.)='Add comment']",
    ))
    .await
    .context("the detail panel has no Add comment button")?
    .click()
    .await?;
    // A refusal is final, so it ends the wait as a result rather than as a "not yet" error.
    until(
        &format!("the detail panel to list the comment {text:?}"),
        PATIENCE,
        || async {
            if let Some(refused) = text_of(c, "[data-testid=td-refused]").await? {
                return Ok(Look::Done(Err(anyhow::anyhow!(
                    "the panel says the comment was refused: {refused}"
                ))));
            }
            let notes = detail_notes(c).await?;
            Ok(
                match notes.iter().find(|n| n.text == text && n.author == "You") {
                    Some(_) => Look::Done(Ok(())),
                    None => Look::NotYet(format!("comments {notes:?}")),
                },
            )
        },
    )
    .await?
}

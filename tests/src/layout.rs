//! Whether the window still shows everything when it is zoomed: the window's zoom (Ctrl+=, as a
//! user does) and what each view then cuts off.

use anyhow::{bail, Context, Result};
use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::Value;

use crate::keyboard::{key, press};
use crate::wait::{until, Look, PATIENCE};

/// Text and controls a user must be able to see, each checked for being cut by its own box or
/// by a container that does not scroll. Ellipsis is allowed where the full text is one click
/// away (a task's description, opened in its timeline or panel).
const CUT_OFF: &str = r#"
const problems = [];
const clips = v => v === "hidden" || v === "clip";
const scrolls = v => v === "auto" || v === "scroll";
const name = el => `<${el.tagName.toLowerCase()}${el.id ? " id=" + el.id : ""}${el.className && typeof el.className === "string" ? " class=" + el.className.split(" ")[0] : ""}> ${(el.textContent || el.value || el.placeholder || "").trim().slice(0, 30)}`;
const sel = "button, input, select, textarea, label, legend, h1, h2, h3, p, th, [role=tab], [role=status], .badge";
for (const el of document.querySelectorAll(sel)) {
  if (el.getClientRects().length === 0 || el.closest(".visually-hidden, [hidden], [aria-hidden=true]")) continue;
  const r = el.getBoundingClientRect();
  // 1 px or less: hidden for screen readers' sake (the visually-hidden pattern).
  if (r.width <= 1 || r.height <= 1) continue;
  const cs = getComputedStyle(el);
  // Text wider than its box is cut (overflow hidden) or spills over its neighbours (visible):
  // either way it cannot be read. Inline boxes have no width of their own to compare.
  const form = el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
  if (cs.textOverflow !== "ellipsis" && !form && cs.display !== "inline") {
    if (el.scrollWidth > el.clientWidth + 1) problems.push(`${name(el)}: its text is wider than its box`);
    if (clips(cs.overflowY) && el.scrollHeight > el.clientHeight + 1) problems.push(`${name(el)}: its text is taller than its box`);
  }
  // Walks out through the containers: one that scrolls can bring the element into view, so from
  // there on it is the container's own box that must not be cut.
  let box = r;
  for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    const acs = getComputedStyle(a);
    const ar = a.getBoundingClientRect();
    if (scrolls(acs.overflowX) || scrolls(acs.overflowY)) { box = ar; continue; }
    const x = clips(acs.overflowX), y = clips(acs.overflowY);
    if (!x && !y) continue;
    if (acs.textOverflow === "ellipsis") break;
    if ((x && (box.left < ar.left - 1 || box.right > ar.right + 1)) || (y && (box.top < ar.top - 1 || box.bottom > ar.bottom + 1))) {
      problems.push(`${name(el)}: cut by ${name(a)}`);
      break;
    }
  }
}
const doc = document.scrollingElement;
if (doc && doc.scrollWidth > innerWidth + 1 && clips(getComputedStyle(document.body).overflowX)) problems.push("the page is wider than the window and cannot scroll sideways");
return problems;"#;

/// What the page cuts off now, one sentence each.
pub async fn cut_off(c: &Client) -> Result<Vec<String>> {
    let v = c.execute(CUT_OFF, vec![]).await?;
    Ok(v.as_array()
        .context("the layout check returned no list")?
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect())
}

/// The page's width in CSS pixels; halved at 200 % zoom.
pub async fn css_width(c: &Client) -> Result<f64> {
    let v = c.execute("return window.innerWidth;", vec![]).await?;
    v.as_f64().context("innerWidth is not a number")
}

/// Zooms the window to `percent` with the keyboard (Ctrl+0, then Ctrl+= per 20 %, as Tauri's
/// zoom keys step), and waits until the page is laid out at that zoom. `full` is the page's
/// width at 100 %.
pub async fn zoom_to(c: &Client, percent: u32, full: f64) -> Result<()> {
    if percent < 100 || !(percent - 100).is_multiple_of(20) {
        bail!("zoom steps are 20 % from 100 %, so {percent} % cannot be reached");
    }
    c.execute("document.activeElement?.blur();", vec![]).await?;
    let ctrl = key(Key::Control);
    press(c, &format!("{ctrl}0")).await?;
    for _ in 0..(percent - 100) / 20 {
        press(c, &format!("{ctrl}=")).await?;
    }
    let want = full * 100.0 / f64::from(percent);
    until(
        &format!("the window to zoom to {percent} %"),
        PATIENCE,
        || async {
            let w = css_width(c).await?;
            Ok(if (w - want).abs() <= 2.0 {
                Look::Done(())
            } else {
                Look::NotYet(format!("page width {w} CSS px, {want} wanted"))
            })
        },
    )
    .await
}

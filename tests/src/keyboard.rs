//! The window used with a keyboard alone: keys go to whatever has focus, as a person's do, and
//! every stop focus makes is recorded with what a screen reader would announce and whether
//! the focus ring shows, so a walk can be judged afterwards.

use crate::axe;
use anyhow::{bail, Context, Result};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Client;
use serde_json::Value;

pub fn key(k: Key) -> String {
    char::from(k).to_string()
}

/// Presses `keys` in order, as a keyboard does: to whatever has focus, nothing focused first
/// (Element Send Keys would focus its element again, which puts a date box back on its first
/// part). Shift and Control in `keys` are held until the end, so "Ctrl" + "=" is a chord.
pub async fn press(c: &Client, keys: &str) -> Result<()> {
    let modifiers = [char::from(Key::Shift), char::from(Key::Control)];
    let mut actions = KeyActions::new("keyboard".into());
    let mut held = Vec::new();
    for k in keys.chars() {
        actions = actions.then(KeyAction::Down { value: k });
        if modifiers.contains(&k) {
            held.push(k);
        } else {
            actions = actions.then(KeyAction::Up { value: k });
        }
    }
    for k in held.into_iter().rev() {
        actions = actions.then(KeyAction::Up { value: k });
    }
    c.perform_actions(actions)
        .await
        .with_context(|| format!("pressing {keys:?}"))
}

pub async fn tab(c: &Client) -> Result<Stop> {
    press(c, &key(Key::Tab)).await?;
    focused(c).await
}

pub async fn shift_tab(c: &Client) -> Result<Stop> {
    press(c, &format!("{}{}", key(Key::Shift), key(Key::Tab))).await?;
    focused(c).await
}

/// Where focus is.
#[derive(Debug, Clone, Default)]
pub struct Stop {
    /// False when focus is on the page itself (before the first control, after the last).
    pub on_control: bool,
    pub tag: String,
    pub id: String,
    pub role: String,
    /// The accessible name.
    pub name: String,
    /// The element matches `:focus-visible` and draws an outline or a ring around itself, or
    /// the label around it draws one.
    pub ring: bool,
    /// Its place among the controls `mark_tabbable` found, if it was one of them.
    pub walk: Option<u64>,
    pub classes: String,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.on_control {
            return write!(f, "(the page)");
        }
        write!(f, "<{}", self.tag)?;
        if !self.id.is_empty() {
            write!(f, " id={}", self.id)?;
        }
        if !self.role.is_empty() {
            write!(f, " role={}", self.role)?;
        }
        write!(f, "> {:?}", self.name)
    }
}

const DESCRIBE_FOCUS: &str = r#"
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return { on_control: false };
const outline = e => { const cs = getComputedStyle(e); return cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0; };
const shadow = e => { const cs = getComputedStyle(e); return cs.boxShadow && cs.boxShadow !== "none"; };
// A check box or radio may draw its ring on the label around it (`:focus-within`); only an
// outline counts there, as a container's shadow may be its card's.
const around = [el.parentElement, el.parentElement?.parentElement].some(a => a && a.matches(":focus-within") && outline(a));
return {
  on_control: true,
  tag: el.tagName.toLowerCase(),
  id: el.id || "",
  role: el.getAttribute("role") || "",
  // `:focus-within` for date and time boxes, whose focus is on the part being edited.
  ring: ((el.matches(":focus-visible") || el.matches(":focus-within")) && (outline(el) || shadow(el))) || around,
  walk: el.dataset.walk == null ? null : Number(el.dataset.walk),
  classes: el.className && typeof el.className === "string" ? el.className : "",
};"#;

pub async fn focused(c: &Client) -> Result<Stop> {
    let v = c.execute(DESCRIBE_FOCUS, vec![]).await?;
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let on_control = v.get("on_control").and_then(Value::as_bool) == Some(true);
    let name = if on_control {
        axe::focused_name(c).await?
    } else {
        String::new()
    };
    Ok(Stop {
        on_control,
        tag: s("tag"),
        id: s("id"),
        role: s("role"),
        name,
        ring: v.get("ring").and_then(Value::as_bool) == Some(true),
        walk: v.get("walk").and_then(Value::as_u64),
        classes: s("classes"),
    })
}

/// Numbers every control a Tab press should reach now (shown, enabled, in the tab order, one
/// per radio group) and returns how they read, in document order.
pub async fn mark_tabbable(c: &Client) -> Result<Vec<String>> {
    let v = c
        .execute(
            r#"document.querySelectorAll("[data-walk]").forEach(e => delete e.dataset.walk);
               const seen = new Set();
               const all = [...document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")]
                 .filter(el => el.tabIndex >= 0 && !el.disabled && !el.closest("[inert], [aria-hidden=true]")
                   && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden")
                 .filter(el => {
                   if (el.type !== "radio" || !el.name) return true;
                   if (seen.has(el.name)) return false;
                   seen.add(el.name);
                   return true;
                 });
               all.forEach((el, i) => (el.dataset.walk = String(i)));
               return all.map(el => `<${el.tagName.toLowerCase()}${el.id ? " id=" + el.id : ""}> ${(el.getAttribute("aria-label") || el.textContent || el.name || "").trim().slice(0, 40)}`);"#,
            vec![],
        )
        .await?;
    Ok(v.as_array()
        .context("no control list")?
        .iter()
        .map(|x| x.as_str().unwrap_or("").to_string())
        .collect())
}

/// Tabs through the whole page once, from where focus is, and returns every stop. Fails when a
/// control is reached without a name or a visible focus ring, or when a control `mark_tabbable`
/// found is never reached.
pub async fn tab_through(c: &Client, view: &str) -> Result<Vec<Stop>> {
    let controls = mark_tabbable(c).await?;
    if controls.is_empty() {
        bail!("{view}: no control can take focus");
    }
    let mut reached = vec![false; controls.len()];
    let mut stops = Vec::new();
    let mut off_page = 0;
    // Twice the count allows for the stops on the page itself between the last control and the
    // first; a tab order that loops without reaching some control ends the walk too.
    for _ in 0..controls.len() * 2 + 4 {
        let stop = tab(c).await?;
        if !stop.on_control {
            off_page += 1;
            if off_page > 2 {
                break;
            }
            continue;
        }
        check_stop(view, &stop)?;
        if let Some(i) = stop.walk {
            let i = i as usize;
            if reached.get(i) == Some(&true) && reached.iter().all(|r| *r) {
                break;
            }
            if let Some(r) = reached.get_mut(i) {
                *r = true;
            }
        }
        stops.push(stop);
    }
    let missed: Vec<_> = controls
        .iter()
        .zip(&reached)
        .filter(|(_, r)| !**r)
        .map(|(c, _)| c.as_str())
        .collect();
    if !missed.is_empty() {
        bail!(
            "{view}: Tab never reaches {}; the stops were: {}",
            missed.join(", "),
            stops
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" → ")
        );
    }
    eprintln!(
        "{view}: all {} controls reached by Tab, in {} stops",
        controls.len(),
        stops.len()
    );
    Ok(stops)
}

/// A control a keyboard reaches must say what it is and show that it has focus.
pub fn check_stop(view: &str, stop: &Stop) -> Result<()> {
    if stop.name.is_empty() {
        bail!("{view}: {stop} has focus but no accessible name: a screen reader announces nothing");
    }
    if !stop.ring {
        bail!("{view}: {stop} has focus but draws no visible focus ring");
    }
    Ok(())
}

/// Presses Tab (or Shift+Tab) until `want` holds for the focused control, checking each stop
/// on the way; fails after `max` presses.
pub async fn tab_until(
    c: &Client,
    view: &str,
    what: &str,
    backwards: bool,
    max: usize,
    want: impl Fn(&Stop) -> bool,
) -> Result<Stop> {
    let mut seen = Vec::new();
    for _ in 0..max {
        let stop = if backwards {
            shift_tab(c).await?
        } else {
            tab(c).await?
        };
        if stop.on_control {
            check_stop(view, &stop)?;
        }
        if want(&stop) {
            return Ok(stop);
        }
        seen.push(stop.to_string());
    }
    bail!(
        "{view}: {what} not reached within {max} presses of {}; focus went {}",
        if backwards { "Shift+Tab" } else { "Tab" },
        seen.join(" → ")
    )
}

/// Moves to `view`'s tab with the keyboard, as the ARIA tabs pattern has it: back to the tab
/// list with Shift+Tab, then the arrow keys, which select as they move.
pub async fn go_to_view(c: &Client, view: &str) -> Result<()> {
    let on_tab = |s: &Stop| s.role == "tab";
    let current = focused(c).await?;
    if !on_tab(&current) {
        // From the page itself the tabs are the first stops; from a control, they are behind.
        let backwards = current.on_control;
        tab_until(c, view, "the view tabs", backwards, 80, on_tab).await?;
    }
    let target = format!("tab-{view}");
    for _ in 0..4 {
        let stop = focused(c).await?;
        if stop.id == target {
            check_stop(view, &stop)?;
            return crate::ui::wait_view(c, view).await;
        }
        press(c, &key(Key::Right)).await?;
    }
    bail!("the arrow keys never reached the {view} tab")
}

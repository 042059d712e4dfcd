//! axe-core, the accessibility engine browsers' own audits are built on, run inside the real
//! window: injected over WebDriver from `ui/node_modules/axe-core` (a dev dependency of the
//! front-end, so `npm ci` installs the one version the lock file names).

use anyhow::{bail, Context, Result};
use fantoccini::Client;
use serde_json::Value;
use std::path::PathBuf;

/// One rule the page breaks, with the elements that break it.
#[derive(Debug, Clone)]
pub struct Violation {
    pub rule: String,
    /// "minor", "moderate", "serious" or "critical".
    pub impact: String,
    pub help: String,
    /// CSS selectors of the offending elements.
    pub targets: Vec<String>,
}

impl Violation {
    pub fn blocks(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {} at {}",
            self.rule,
            self.impact,
            self.help,
            self.targets.join(", ")
        )
    }
}

fn source_path() -> PathBuf {
    std::env::var_os("TASKBELL_AXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js")
        })
}

/// The axe source, once per test process.
fn source() -> Result<&'static str> {
    static SOURCE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(s) = SOURCE.get() {
        return Ok(s);
    }
    let p = source_path();
    let text = std::fs::read_to_string(&p).with_context(|| {
        format!(
            "reading axe-core at {} (installed by `npm ci` in ui/, which `make test-e2e` runs)",
            p.display()
        )
    })?;
    Ok(SOURCE.get_or_init(|| text))
}

/// Makes `window.axe` exist in the page (again, after the window was rebuilt).
pub async fn inject(c: &Client) -> Result<()> {
    let present = c
        .execute("return typeof window.axe === 'object';", vec![])
        .await?;
    if present.as_bool() == Some(true) {
        return Ok(());
    }
    c.execute(&format!("{}\n;return true;", source()?), vec![])
        .await
        .context("injecting axe-core into the window")?;
    Ok(())
}

/// Audits the whole page as it is now, with axe's default rules (WCAG 2.x A and AA and best
/// practice), and returns every violation.
pub async fn audit(c: &Client) -> Result<Vec<Violation>> {
    inject(c).await?;
    let r = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ["violations"] })
                 .then(r => done({ ok: r.violations.map(v => ({
                   rule: v.id, impact: v.impact || "minor", help: v.help,
                   targets: v.nodes.map(n => n.target.join(" ")) })) }))
                 .catch(e => done({ error: String(e) }));"#,
            vec![],
        )
        .await
        .context("running axe in the window")?;
    if let Some(e) = r.get("error") {
        bail!("axe failed in the window: {e}");
    }
    let list = r
        .get("ok")
        .and_then(Value::as_array)
        .context("axe returned no violation list")?;
    Ok(list.iter().map(violation).collect())
}

fn violation(v: &Value) -> Violation {
    let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    Violation {
        rule: s("rule"),
        impact: s("impact"),
        help: s("help"),
        targets: v
            .get("targets")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// The accessible name a screen reader announces for the focused element, computed by axe's
/// implementation of the W3C algorithm (labels, aria-label(ledby), content, title).
pub async fn focused_name(c: &Client) -> Result<String> {
    inject(c).await?;
    let v = c
        .execute(
            r#"const el = document.activeElement;
               if (!el || el === document.body) return "";
               axe.setup(document);
               try { return axe.commons.text.accessibleText(el); } finally { axe.teardown(); }"#,
            vec![],
        )
        .await
        .context("computing the focused element's accessible name")?;
    Ok(v.as_str().unwrap_or("").trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_serious_and_critical_block() {
        let v = |impact: &str| Violation {
            rule: "r".into(),
            impact: impact.into(),
            help: "h".into(),
            targets: vec!["#a".into()],
        };
        assert!(v("critical").blocks());
        assert!(v("serious").blocks());
        assert!(!v("moderate").blocks());
        assert!(!v("minor").blocks());
        assert_eq!(v("serious").to_string(), "r (serious): h at #a");
    }

    #[test]
    fn reads_axe_results() {
        let r = serde_json::json!({"rule": "label", "impact": "critical", "help": "Form elements must have labels", "targets": ["#x", "form > input"]});
        let v = violation(&r);
        assert_eq!(v.rule, "label");
        assert_eq!(v.targets, vec!["#x", "form > input"]);
        assert!(v.blocks());
    }
}

//! What an end-to-end test needs before it starts, checked up front so a missing piece fails
//! the test with a sentence saying what to do, instead of a timeout somewhere later.
//!
//! The tests are `#[ignore]`d so a plain `cargo nextest run --workspace` skips them; the runner
//! (tests/run-e2e.sh, `make test-e2e`) runs them with `--run-ignored only` inside Xvfb and sets
//! TASKBELL_E2E=1. Run any other way, they fail here rather than pass vacuously.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};

/// Programs the harness runs, with the Debian package that has each.
const TOOLS: &[(&str, &str)] = &[
    ("dbus-daemon", "dbus"),
    ("dbus-monitor", "dbus"),
    ("gdbus", "libglib2.0-bin"),
    ("dunst", "dunst"),
    ("WebKitWebDriver", "webkit2gtk-driver"),
    ("tauri-driver", "cargo install tauri-driver@2.1.0 --locked"),
];

pub struct Prerequisites {
    /// The built desktop app.
    pub app: PathBuf,
    /// `<target dir>/e2e-artifacts`.
    pub artifacts_root: PathBuf,
}

pub fn check() -> Result<Prerequisites> {
    if std::env::var("TASKBELL_E2E").as_deref() != Ok("1") {
        bail!(
            "this end-to-end test runs the built app under Xvfb and needs the environment that \
             tests/run-e2e.sh prepares: run `make test-e2e` (or tests/run-e2e.sh after `cargo build -p taskbell`)"
        );
    }
    if std::env::var_os("DISPLAY").is_none() {
        bail!("DISPLAY is not set: run the end-to-end tests through tests/run-e2e.sh, which starts Xvfb");
    }
    let target = target_dir();
    let app = std::env::var_os("TASKBELL_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("debug/taskbell"));
    if !is_executable(&app) {
        bail!(
            "the app is not built at {}: run `cargo build -p taskbell` (make test-e2e does)",
            app.display()
        );
    }
    let missing: Vec<String> = TOOLS
        .iter()
        .filter(|(t, _)| which(t).is_none())
        .map(|(t, pkg)| format!("{t} (from {pkg})"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "missing on PATH: {}; `make deps-test` installs the packages",
            missing.join(", ")
        );
    }
    if !is_executable(Path::new("/usr/bin/import")) {
        bail!("/usr/bin/import is missing: install the imagemagick package");
    }
    let artifacts_root = std::env::var_os("TASKBELL_E2E_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("e2e-artifacts"));
    std::fs::create_dir_all(&artifacts_root)
        .with_context(|| format!("creating {}", artifacts_root.display()))?;
    Ok(Prerequisites {
        app,
        artifacts_root,
    })
}

/// `$CARGO_TARGET_DIR`, or the workspace's `target/`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("target"),
    }
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

pub fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| is_executable(p))
}

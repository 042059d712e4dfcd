//! Copy diagnostics: one block of text a user can paste into a support request. It says which
//! Taskbell, on which system, connected how, and what the log said lately, and it is cleaned
//! (see [`redact`]) so that pasting it anywhere discloses no secret and no patient.

pub mod redact;

pub use redact::Redactor;

use crate::logfile;
use crate::settings::{ReceiveMode, SecretsBackend};
use crate::status::ConnectionKind;
use crate::store::Store;
use serde::Serialize;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// How many of the log's last lines go into diagnostics.
pub const LOG_LINES: usize = 200;

/// What the About section shows and diagnostics start with.
#[derive(Debug, Clone, Serialize, TS)]
pub struct About {
    pub version: String,
    pub os: String,
    /// "Sandbox", or the Canvas instance.
    pub instance: String,
    pub mode: ConnectionKind,
    pub receive: ReceiveMode,
    /// The status line, as the tray shows it.
    pub connection: String,
    pub secrets: SecretsBackend,
    pub data_dir: PathBuf,
    /// Null when the app writes no log file.
    pub log_file: Option<PathBuf>,
}

/// The text to copy: the facts, then the log's last [`LOG_LINES`] lines cleaned by `redactor`.
/// The facts go through it too: a Canvas instance or a status line could carry anything.
pub fn compose(about: &About, log_lines: &[String], redactor: &Redactor) -> String {
    let log_file = about
        .log_file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "none (logging to the terminal only)".into());
    let facts = [
        ("Taskbell", about.version.clone()),
        ("OS", about.os.clone()),
        ("Instance", about.instance.clone()),
        ("Mode", about.mode.as_str().into()),
        ("Receive", about.receive.as_str().into()),
        ("Connection", about.connection.clone()),
        ("Secrets in", about.secrets.as_str().into()),
        ("Data directory", about.data_dir.display().to_string()),
        ("Log file", log_file),
    ];
    let mut out = String::new();
    for (name, value) in facts {
        out.push_str(&format!("{name}: {}\n", redactor.line(&value)));
    }
    let cleaned = redactor.clean(log_lines);
    out.push_str(&format!(
        "\nLast {} log lines (info and above, secrets and patient data removed):\n",
        cleaned.len()
    ));
    for line in cleaned {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Everything diagnostics need that is read from disk: the store's patient values and the log's
/// tail, cleaned of those and of `secrets` (every secret this Taskbell holds).
pub fn collect(
    about: &About,
    store: &Store,
    secrets: Vec<String>,
) -> Result<String, crate::store::StoreError> {
    let redactor = Redactor::new(secrets, store.private_values()?);
    let lines = about
        .log_file
        .as_deref()
        .map(|p| logfile::last_lines(p, LOG_LINES))
        .unwrap_or_default();
    Ok(compose(about, &lines, &redactor))
}

/// "Debian GNU/Linux 12 (bookworm), x86_64", from os-release when there is one.
pub fn os_description() -> String {
    let pretty = ["/etc/os-release", "/usr/lib/os-release"]
        .iter()
        .find_map(|p| pretty_name(Path::new(p)));
    format!(
        "{}, {}",
        pretty.unwrap_or_else(|| std::env::consts::OS.to_string()),
        std::env::consts::ARCH
    )
}

fn pretty_name(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim().trim_matches('"').to_string())
}

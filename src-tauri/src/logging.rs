//! Logging: to the terminal as before (the end-to-end tests and the benchmark read those lines)
//! and to the rotating log file in the data directory, which Settings shows and diagnostics
//! read. The file is set up before Tauri starts, so it has the first lines too.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use taskbell_core::logfile::{self, RotatingFile};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

/// As in tauri.conf.json: the platform directories are named after it.
pub const IDENTIFIER: &str = "app.taskbell.desktop";

/// Where the data, and so the log, lives: `TASKBELL_DATA_DIR`, else the XDG data directory.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os("TASKBELL_DATA_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => logfile::default_data_dir(IDENTIFIER),
    }
}

/// Starts logging; returns the log file, or `None` when it could not be opened (then the
/// terminal alone has the log, and the first line says why).
pub fn init() -> Option<PathBuf> {
    let filter = || EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colour only for a person at a terminal: a pipe (the benchmark, the end-to-end tests)
    // reads plain lines.
    let terminal = fmt::layer().with_ansi(std::io::stdout().is_terminal());
    let path = data_dir().map(|d| logfile::path_in(&d));
    let opened = path.as_deref().map(RotatingFile::open);
    match opened {
        Some(Ok(file)) => {
            let path = file.path().to_path_buf();
            let to_file = fmt::layer().with_ansi(false).with_writer(Mutex::new(file));
            tracing_subscriber::registry()
                .with(filter())
                .with(terminal)
                .with(to_file)
                .init();
            Some(path)
        }
        other => {
            tracing_subscriber::registry()
                .with(filter())
                .with(terminal)
                .init();
            match (other, path) {
                (Some(Err(e)), Some(p)) => tracing::warn!("no log file at {}: {e}", p.display()),
                _ => tracing::warn!("no log file: neither TASKBELL_DATA_DIR nor HOME is set"),
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_identifier_is_the_configured_one() {
        let config: serde_json::Value =
            serde_json::from_str(include_str!("../../tauri.conf.json")).expect("tauri.conf.json");
        assert_eq!(config["identifier"], super::IDENTIFIER);
    }
}

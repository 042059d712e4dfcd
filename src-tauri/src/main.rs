//! The desktop shell's entry point; everything else is in the library so tests can build the
//! same app on Tauri's mock runtime.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::io::IsTerminal;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        // Colour only for a person at a terminal: a log file or a pipe (the benchmark, the
        // end-to-end tests) is read as plain lines.
        .with_ansi(std::io::stdout().is_terminal())
        .init();
    if let Err(e) = taskbell_app::run() {
        tracing::error!("Taskbell could not start: {e}");
        std::process::exit(1);
    }
}

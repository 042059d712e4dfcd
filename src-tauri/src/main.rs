//! The desktop shell's entry point; everything else is in the library so tests can build the
//! same app on Tauri's mock runtime.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    if let Err(e) = taskbell_app::run() {
        eprintln!("Taskbell could not start: {e}");
        std::process::exit(1);
    }
}

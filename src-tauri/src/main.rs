//! The desktop shell's entry point; everything else is in the library so tests can build the
//! same app on Tauri's mock runtime.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use taskbell_app::cli::{self, Cli};

fn main() {
    // Read while this is the only thread: the time crate reads the local offset only then.
    taskbell_core::time_util::remember_local_offset();
    match cli::parse(std::env::args().skip(1)) {
        Cli::Run => {}
        Cli::Version => return println!("{}", cli::version()),
        Cli::Help => return print!("{}", cli::HELP),
        Cli::Unknown(arg) => {
            eprintln!(
                "taskbell: unknown argument {arg:?}; `taskbell --help` lists the ones there are"
            );
            std::process::exit(2);
        }
    }
    let log_file = taskbell_app::logging::init();
    let mut options = taskbell_app::Options::from_env();
    options.log_file = log_file;
    if let Err(e) = taskbell_app::run(options) {
        tracing::error!("Taskbell could not start: {e}");
        std::process::exit(1);
    }
}

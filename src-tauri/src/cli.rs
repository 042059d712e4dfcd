//! The command line: `--version` and `--help` answer and exit before anything starts (so they
//! work on a machine with no display, and beside a running Taskbell); `--autostart` is how a
//! login starts it. Anything else is refused rather than ignored.

/// What the arguments ask for.
#[derive(Debug, PartialEq, Eq)]
pub enum Cli {
    Run,
    Version,
    Help,
    Unknown(String),
}

pub fn parse(args: impl IntoIterator<Item = String>) -> Cli {
    for arg in args {
        match arg.as_str() {
            "--version" | "-V" => return Cli::Version,
            "--help" | "-h" => return Cli::Help,
            a if a == crate::app::AUTOSTART_ARG => {}
            _ => return Cli::Unknown(arg),
        }
    }
    Cli::Run
}

pub fn version() -> String {
    format!("taskbell {}", env!("CARGO_PKG_VERSION"))
}

pub const HELP: &str = "\
Taskbell: know when the work you handed to Canvas is done.

Usage: taskbell [--autostart]

Options:
  --autostart     start in the tray without a window (what a launch at login uses)
  -V, --version   print the version and exit
  -h, --help      print this help and exit

Environment:
  TASKBELL_DATA_DIR=DIR          database, settings, file secrets and logs all in DIR
  TASKBELL_STAFF_DELAY_SECS=N    the sandbox's staff finish tasks after N s instead of 20
  TASKBELL_SANDBOX_PACE_SECS=N   the sandbox's staff hand you work every N s instead of 30 (0: never)
  TASKBELL_NO_WINDOW=1           start in the tray only
  RUST_LOG=debug                 more logging (patient data and secrets never appear above debug)

Files (unless TASKBELL_DATA_DIR says otherwise):
  ~/.local/share/app.taskbell.desktop/taskbell.db          the task history
  ~/.local/share/app.taskbell.desktop/logs/taskbell.log    the log, rotated by size
  ~/.config/app.taskbell.desktop/settings.json             the settings, without secrets
";

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_are_understood_and_strangers_refused() {
        assert_eq!(parse(args(&[])), Cli::Run);
        assert_eq!(parse(args(&["--autostart"])), Cli::Run);
        assert_eq!(parse(args(&["--version"])), Cli::Version);
        assert_eq!(parse(args(&["--autostart", "-h"])), Cli::Help);
        assert_eq!(
            parse(args(&["--verbose"])),
            Cli::Unknown("--verbose".into())
        );
    }

    #[test]
    fn the_help_names_every_switch_the_app_reads() {
        let source = concat!(include_str!("options.rs"), include_str!("logging.rs"));
        let mut from = 0;
        while let Some(at) = source[from..].find("\"TASKBELL_") {
            let start = from + at + 1;
            let end = start + source[start..].find('"').expect("a closing quote");
            assert!(
                HELP.contains(&source[start..end]),
                "--help does not mention {}",
                &source[start..end]
            );
            from = end;
        }
        assert!(HELP.contains("RUST_LOG"));
    }
}

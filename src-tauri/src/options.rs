//! How one run of the app is set up: what the environment asks for (tests, the benchmark), and
//! what tests swap out (the tray, the notifier, the keychain).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use taskbell_core::notify::Notifier;

/// The sandbox's simulated staff finish a task this long after it is created.
const STAFF_DELAY: Duration = Duration::from_secs(20);

/// How often the sandbox's simulated staff hand the user work: a newcomer sees a task assigned
/// to them within the first minute.
const HANDOUT_PACE: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct Options {
    /// One directory for the database, settings and file secrets (`TASKBELL_DATA_DIR`); `None`
    /// uses the platform's app data and config directories.
    pub data_dir: Option<PathBuf>,
    /// `TASKBELL_STAFF_DELAY_SECS`.
    pub staff_delay: Duration,
    /// `TASKBELL_SANDBOX_PACE_SECS`: how often the sandbox's staff hand out work; `None` (0): never.
    pub handout: Option<Duration>,
    /// False with `TASKBELL_NO_WINDOW=1` (tray only, for the memory benchmark) and when
    /// started at login.
    pub window_at_start: bool,
    pub tray: bool,
    /// `None`: desktop notifications over D-Bus.
    pub notifier: Option<Arc<dyn Notifier>>,
    /// Use the OS keychain when one answers; tests keep to the file.
    pub keychain: bool,
    /// The rotating log file, when logging writes one (the app started by `main` does).
    pub log_file: Option<PathBuf>,
}

impl Options {
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let no_window = matches!(var("TASKBELL_NO_WINDOW").as_deref(), Some(v) if v != "0");
        let at_login = std::env::args().any(|a| a == crate::app::AUTOSTART_ARG);
        Options {
            data_dir: var("TASKBELL_DATA_DIR").map(PathBuf::from),
            staff_delay: var("TASKBELL_STAFF_DELAY_SECS")
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs)
                .unwrap_or(STAFF_DELAY),
            handout: match var("TASKBELL_SANDBOX_PACE_SECS").map(|s| s.trim().parse::<u64>()) {
                Some(Ok(0)) => None,
                Some(Ok(secs)) => Some(Duration::from_secs(secs)),
                Some(Err(_)) | None => Some(HANDOUT_PACE),
            },
            window_at_start: !no_window && !at_login,
            tray: true,
            notifier: None,
            keychain: true,
            log_file: None,
        }
    }

    /// For tests on the mock runtime: no tray, no D-Bus, everything under `data_dir`.
    pub fn headless(data_dir: PathBuf, notifier: Arc<dyn Notifier>) -> Self {
        Options {
            data_dir: Some(data_dir),
            staff_delay: Duration::from_secs(1),
            handout: None,
            window_at_start: false,
            tray: false,
            notifier: Some(notifier),
            keychain: false,
            log_file: None,
        }
    }
}

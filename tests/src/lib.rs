//! Helpers for Taskbell's end-to-end tests, which run the built desktop app under Xvfb, each
//! on a private D-Bus session bus, and drive it the two ways a user can: the window (over
//! WebDriver, through tauri-driver) and the tray menu (over D-Bus, as a panel does). Desktop
//! notifications are checked as the notification daemon receives them, with dbus-monitor, and
//! what the app wrote to Canvas as its embedded sandbox answers it over FHIR.
//!
//! The parsers (gdbus output, dbus-monitor output, the tray layout, a FHIR Task) have unit
//! tests that run anywhere; the end-to-end tests themselves are in tests/ and run through
//! tests/run-e2e.sh.

pub mod app_process;
pub mod artifacts;
pub mod axe;
pub mod bus;
pub mod dbusmenu;
pub mod driver;
pub mod dunst;
pub mod fhir_task;
pub mod for_me;
pub mod gvariant;
pub mod keyboard;
pub mod layout;
pub mod monitor;
pub mod monitor_parse;
pub mod portal;
pub mod prerequisites;
pub mod process;
pub mod sandbox;
pub mod ui;
pub mod wait;
pub mod world;

pub use app_process::AppProcess;
pub use dbusmenu::TrayMenu;
pub use driver::Driven;
pub use world::{Notifications, World};

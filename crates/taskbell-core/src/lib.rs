//! Taskbell's engine room: everything that is not GUI.
//!
//! The desktop shell (`src-tauri`) and the headless binary (`taskbell-cli`) are thin adapters over
//! this crate, so the logic is tested without a window.

#[cfg(feature = "desktop")]
pub mod appearance;
pub mod backoff;
pub mod canvas;
pub mod diagnostics;
pub mod engine;
pub mod export;
pub mod inbox;
pub mod logfile;
pub mod notify;
pub mod runtime;
pub mod secrets;
pub mod settings;
pub mod status;
pub mod store;
pub mod supervisor;
pub mod task;
pub mod time_util;

pub use engine::{Engine, EngineError, Ingested, UiEvent};
pub use task::{EventKind, Source, Task, TaskEvent, TaskRef, TaskStatus};

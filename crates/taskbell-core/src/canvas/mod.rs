//! Talking to Canvas: OAuth token cache, FHIR JSON <-> [`Task`](crate::Task), the HTTP calls with
//! their retry rules, and typed errors carrying the server's own words.

pub mod action;
mod client;
mod config;
mod directory;
mod error;
pub mod fhir;
#[cfg(test)]
mod fuzz;
mod http;
mod search;
mod token;

pub use action::{Acted, ActionRequest, Plan, TaskAction};
pub use client::CanvasClient;
pub use config::CanvasConfig;
pub use directory::{Listing, PatientSummary, Person};
pub use error::CanvasError;
pub use fhir::{DraftNames, TaskDraft};
pub use search::TaskSearch;

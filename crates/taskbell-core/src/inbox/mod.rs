//! Learning about changes. Three receivers (the webhook endpoint, the plugin WebSocket client
//! and the FHIR poller) each turn what they hear into [`TaskEvent`](crate::TaskEvent)s for the
//! engine; none of them decides anything else. The two push receivers reach the engine only
//! through a [`Sink`](sink::Sink).

pub mod payload;
pub mod poll;
pub mod signature;
pub mod sink;
pub mod socket;
pub mod tunnel;
pub mod webhook;

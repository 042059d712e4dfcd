//! The `Date` header of every answer, from the sandbox's clock. A real Canvas's answers carry
//! its own clock there and the desktop app learns Canvas's time from it, so the sandbox must
//! say its (possibly offset) time rather than let hyper write the machine's.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::clock;
use crate::state::AppState;

/// Stamps the answer once it is ready, after any simulated latency, as a server writes `Date`
/// when it sends. hyper adds its own `Date` only when the answer has none.
pub(crate) async fn stamp(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&clock::http_date(state.now())) {
        response.headers_mut().insert(header::DATE, value);
    }
    response
}

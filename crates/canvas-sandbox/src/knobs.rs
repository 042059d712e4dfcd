//! Test controls: make the sandbox slow, failing, forgetful or quiet at runtime, so a client's
//! retry, re-auth, fallback and reconcile paths can each be driven on purpose.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;

use crate::clock::Clock;

/// A cheap handle: clones share the same settings.
#[derive(Clone)]
pub struct Knobs {
    inner: Arc<Inner>,
}

struct Inner {
    latency_micros: AtomicU64,
    answer_delay_micros: AtomicU64,
    fail_429: Mutex<(u32, u64)>,
    fail_5xx: Mutex<(u32, u16)>,
    /// Tokens carry the epoch they were issued in; bumping it invalidates all of them.
    token_epoch: AtomicU64,
    /// `(parameter, text)`: a Task search whose `parameter` has a value containing `text`
    /// answers 400; an empty `text` refuses the parameter whatever its value.
    refused_task_params: Mutex<Vec<(String, String)>>,
    drop_pushes: AtomicBool,
    duplicate_pushes: AtomicBool,
    skip_completed_push: AtomicBool,
    socket_envelope: AtomicBool,
    socket_drops: watch::Sender<u64>,
    request_count: AtomicU64,
    token_count: AtomicU64,
    staff_delay: Mutex<Option<Duration>>,
    /// A watch rather than a plain value: the handout loop sleeps until this changes.
    handout: watch::Sender<Option<Duration>>,
    clock: Clock,
    /// Task create and update bodies as received, so a test can compare a client's bodies with
    /// Canvas's documented request examples.
    task_writes: Mutex<Vec<(&'static str, serde_json::Value)>>,
    /// Token requests as received: content type and form fields, in arrival order.
    token_requests: Mutex<Vec<TokenRequest>>,
    version_headers: AtomicBool,
    change_before_put: Mutex<Option<crate::store::Status>>,
    labels_around_read: Mutex<Option<(String, String)>>,
}

/// One `POST /auth/token/` as received, so a test can compare a client's token request with
/// the documented one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRequest {
    pub content_type: Option<String>,
    /// Form fields in the order sent (an HTTP Basic header is not among them).
    pub fields: Vec<(String, String)>,
}

/// What the failure knobs say about the next FHIR request.
pub(crate) enum Injected {
    None,
    Throttle(u64),
    ServerError(u16),
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not wedge the sandbox: the data is plain counters.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Knobs {
    pub(crate) fn new(staff_delay: Option<Duration>, handout: Option<Duration>) -> Self {
        let (socket_drops, _) = watch::channel(0);
        let (handout, _) = watch::channel(handout);
        Knobs {
            inner: Arc::new(Inner {
                latency_micros: AtomicU64::new(0),
                answer_delay_micros: AtomicU64::new(0),
                fail_429: Mutex::new((0, 0)),
                fail_5xx: Mutex::new((0, 500)),
                token_epoch: AtomicU64::new(0),
                refused_task_params: Mutex::new(Vec::new()),
                drop_pushes: AtomicBool::new(false),
                duplicate_pushes: AtomicBool::new(false),
                skip_completed_push: AtomicBool::new(false),
                socket_envelope: AtomicBool::new(false),
                socket_drops,
                request_count: AtomicU64::new(0),
                token_count: AtomicU64::new(0),
                staff_delay: Mutex::new(staff_delay),
                handout,
                clock: Clock::default(),
                task_writes: Mutex::new(Vec::new()),
                token_requests: Mutex::new(Vec::new()),
                version_headers: AtomicBool::new(false),
                change_before_put: Mutex::new(None),
                labels_around_read: Mutex::new(None),
            }),
        }
    }

    /// Held between doing a FHIR write's work (a POST or PUT) and answering it: a client that
    /// gives up in between has had its request applied without hearing so (a lost answer).
    /// Reads are answered at once, so a client can still look for what it may have done.
    pub fn set_answer_delay(&self, d: Duration) {
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.inner
            .answer_delay_micros
            .store(micros, Ordering::SeqCst);
    }

    pub(crate) fn answer_delay(&self) -> Duration {
        Duration::from_micros(self.inner.answer_delay_micros.load(Ordering::SeqCst))
    }

    /// Added before every FHIR and token request is handled, so it slows every answer, creates
    /// included, like a slow Canvas.
    pub fn set_latency(&self, d: Duration) {
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.inner.latency_micros.store(micros, Ordering::SeqCst);
    }

    /// The next `n` FHIR requests answer 429 with `Retry-After: retry_after_secs`.
    pub fn fail_with_429(&self, n: u32, retry_after_secs: u64) {
        *lock(&self.inner.fail_429) = (n, retry_after_secs);
    }

    /// The next `n` FHIR requests answer `status` (a 5xx; anything else becomes 500).
    pub fn fail_with_5xx(&self, n: u32, status: u16) {
        *lock(&self.inner.fail_5xx) = (n, status);
    }

    /// Every token issued so far stops working.
    pub fn expire_tokens(&self) {
        self.inner.token_epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// When false, any search using `modified` answers 400, as on instances whose docs
    /// predate that parameter.
    pub fn set_modified_search_supported(&self, yes: bool) {
        let mut refused = lock(&self.inner.refused_task_params);
        refused.retain(|(name, _)| name != "modified");
        if !yes {
            refused.push(("modified".into(), String::new()));
        }
    }

    /// From now on a Task search whose `name` parameter has a value containing `containing`
    /// answers 400 `invalid`, the way Canvas refuses what it does not take: `("modified", "")`
    /// refuses that parameter outright, `("modified", ":")` only its dateTime spellings, and
    /// `("_count", "")` every search a client pages (so a 400 is about something other than
    /// `modified`).
    pub fn refuse_task_parameter(&self, name: &str, containing: &str) {
        lock(&self.inner.refused_task_params).push((name.into(), containing.into()));
    }

    /// Undoes every [`Knobs::refuse_task_parameter`] and `set_modified_search_supported(false)`.
    pub fn accept_task_parameters(&self) {
        lock(&self.inner.refused_task_params).clear();
    }

    /// When true, WebSocket broadcasts and outgoing webhooks are silently dropped.
    pub fn set_drop_pushes(&self, yes: bool) {
        self.inner.drop_pushes.store(yes, Ordering::SeqCst);
    }

    /// When true, every push is sent twice, same event id and same body, on the WebSocket and
    /// as a webhook: Canvas delivers at least once, and a receiver must not act twice.
    pub fn set_duplicate_pushes(&self, yes: bool) {
        self.inner.duplicate_pushes.store(yes, Ordering::SeqCst);
    }

    /// Moves the sandbox's clock off the machine's by `offset` (either sign), from now on:
    /// `lastModified`, default `authoredOn` and note times, payload `occurred_at`, the
    /// `webhook-timestamp` header and every answer's `Date` header follow it, as they follow
    /// the server's clock on a real Canvas. A task's `lastModified` still never goes back.
    pub fn set_clock_offset(&self, offset: time::Duration) {
        self.inner.clock.set_offset(offset);
    }

    pub fn clock_offset(&self) -> time::Duration {
        self.inner.clock.offset()
    }

    /// When true, completions made through the FHIR API push nothing, like the platform gap
    /// where `TASK_COMPLETED` does not fire for API changes.
    pub fn set_skip_completed_push(&self, yes: bool) {
        self.inner.skip_completed_push.store(yes, Ordering::SeqCst);
    }

    /// When true, each WebSocket frame is `{"message": <payload>}`, the envelope Canvas's own
    /// browser clients read; when false (the default) the frame is the bare payload. Clients
    /// should accept both (canvas-plugin/schema/PAYLOAD.md).
    pub fn set_socket_envelope(&self, yes: bool) {
        self.inner.socket_envelope.store(yes, Ordering::SeqCst);
    }

    /// Closes every open plugin WebSocket connection now.
    pub fn drop_socket_connections(&self) {
        self.inner.socket_drops.send_modify(|n| *n += 1);
    }

    /// FHIR requests received, including those the failure knobs or auth turned away;
    /// token requests are counted by [`Knobs::token_count`] instead.
    pub fn request_count(&self) -> u64 {
        self.inner.request_count.load(Ordering::SeqCst)
    }

    pub fn reset_request_count(&self) {
        self.inner.request_count.store(0, Ordering::SeqCst);
    }

    /// Tokens issued.
    pub fn token_count(&self) -> u64 {
        self.inner.token_count.load(Ordering::SeqCst)
    }

    /// Every token request received, granted or not, oldest first.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        lock(&self.inner.token_requests).clone()
    }

    pub(crate) fn record_token_request(&self, request: TokenRequest) {
        let mut requests = lock(&self.inner.token_requests);
        // As with task writes: bounded for long runs, tests look at a few.
        if requests.len() >= 1000 {
            requests.remove(0);
        }
        requests.push(request);
    }

    /// Applies to tasks created from now on.
    pub fn set_staff_delay(&self, d: Option<Duration>) {
        *lock(&self.inner.staff_delay) = d;
    }

    /// How often simulated staff hand work to the sandbox's user and team; None (or zero)
    /// stops them. Takes effect at once: the wait for the next step starts over at the new pace.
    pub fn set_handout(&self, pace: Option<Duration>) {
        self.inner.handout.send_replace(pace);
    }

    pub fn handout(&self) -> Option<Duration> {
        *self.inner.handout.borrow()
    }

    pub(crate) fn handout_changes(&self) -> watch::Receiver<Option<Duration>> {
        self.inner.handout.subscribe()
    }

    /// Every `POST /Task` and `PUT /Task/<id>` body received that was JSON, refused or not,
    /// as `("POST" | "PUT", body)` in arrival order.
    pub fn task_writes(&self) -> Vec<(&'static str, serde_json::Value)> {
        lock(&self.inner.task_writes).clone()
    }

    /// When true, Task reads, creates and updates carry `Last-Modified` and `ETag`, which
    /// Canvas's docs do not show (the default is without).
    pub fn set_version_headers(&self, yes: bool) {
        self.inner.version_headers.store(yes, Ordering::SeqCst);
    }

    /// The next `PUT /Task/<id>` first sees staff set that task's status to `status`
    /// (`completed`, `cancelled`, `requested`, `open`, `closed`), after the second of the task's
    /// last change has passed: a change made between a client's read and its PUT. False when
    /// the status is unknown.
    pub fn change_before_next_put(&self, status: &str) -> bool {
        let status = match status {
            "open" => Some(crate::store::Status::Requested),
            "closed" => Some(crate::store::Status::Cancelled),
            other => crate::store::Status::parse(other),
        };
        *lock(&self.inner.change_before_put) = status;
        status.is_some()
    }

    /// The next `GET /Task/<id>` is answered between two staff changes made in one second of
    /// the sandbox's clock: `before` is added to the task's labels just before the answer is
    /// taken, `after` just after it. The answer's `lastModified` is then in the same second as
    /// a change the reader never saw, the window `If-Unmodified-Since` cannot see (whole
    /// seconds), so only a client that waits for Canvas's clock to leave that second and reads
    /// again keeps `after`.
    pub fn labels_around_next_read(&self, before: &str, after: &str) {
        *lock(&self.inner.labels_around_read) = Some((before.to_owned(), after.to_owned()));
    }

    pub(crate) fn take_labels_around_read(&self) -> Option<(String, String)> {
        lock(&self.inner.labels_around_read).take()
    }

    pub(crate) fn take_change_before_put(&self) -> Option<crate::store::Status> {
        lock(&self.inner.change_before_put).take()
    }

    pub(crate) fn version_headers(&self) -> bool {
        self.inner.version_headers.load(Ordering::SeqCst)
    }

    pub fn clear_task_writes(&self) {
        lock(&self.inner.task_writes).clear();
    }

    pub(crate) fn record_task_write(&self, method: &'static str, body: &[u8]) {
        if let Ok(v) = serde_json::from_slice(body) {
            let mut writes = lock(&self.inner.task_writes);
            // A long benchmark must not grow this without end; tests look at a handful.
            if writes.len() >= 1000 {
                writes.remove(0);
            }
            writes.push((method, v));
        }
    }

    pub(crate) fn latency(&self) -> Duration {
        Duration::from_micros(self.inner.latency_micros.load(Ordering::SeqCst))
    }

    pub(crate) fn next_injected(&self) -> Injected {
        {
            let mut throttle = lock(&self.inner.fail_429);
            if throttle.0 > 0 {
                throttle.0 -= 1;
                return Injected::Throttle(throttle.1);
            }
        }
        let mut failure = lock(&self.inner.fail_5xx);
        if failure.0 > 0 {
            failure.0 -= 1;
            return Injected::ServerError(failure.1);
        }
        Injected::None
    }

    pub(crate) fn count_request(&self) {
        self.inner.request_count.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn count_token(&self) {
        self.inner.token_count.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn token_epoch(&self) -> u64 {
        self.inner.token_epoch.load(Ordering::SeqCst)
    }

    /// The refusal, if a knob refuses `name=value` in a Task search.
    pub(crate) fn refuses_task_parameter(&self, name: &str, value: &str) -> Option<String> {
        let refused = lock(&self.inner.refused_task_params);
        let (_, containing) = refused
            .iter()
            .find(|(n, c)| n == name && value.contains(c.as_str()))?;
        Some(if containing.is_empty() {
            format!("Unknown search parameter \"{name}\" for Task.")
        } else {
            format!("Search parameter \"{name}\" does not take \"{value}\".")
        })
    }

    pub(crate) fn drop_pushes(&self) -> bool {
        self.inner.drop_pushes.load(Ordering::SeqCst)
    }

    pub(crate) fn duplicate_pushes(&self) -> bool {
        self.inner.duplicate_pushes.load(Ordering::SeqCst)
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    pub(crate) fn skip_completed_push(&self) -> bool {
        self.inner.skip_completed_push.load(Ordering::SeqCst)
    }

    pub(crate) fn socket_envelope(&self) -> bool {
        self.inner.socket_envelope.load(Ordering::SeqCst)
    }

    pub(crate) fn socket_drops(&self) -> watch::Receiver<u64> {
        self.inner.socket_drops.subscribe()
    }

    pub(crate) fn staff_delay(&self) -> Option<Duration> {
        *lock(&self.inner.staff_delay)
    }
}

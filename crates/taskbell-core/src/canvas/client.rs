//! The Canvas operations Taskbell needs, each one a FHIR call (or a read-modify-PUT) with the
//! token, retry and timeout rules of [`http`](super::http).

use super::directory::{self, Listing, PatientSummary, Person};
use super::fhir::{self, TaskDraft};
use super::http::{send, Answer, Call};
use super::token::TokenCache;
use super::{Acted, ActionRequest, CanvasConfig, CanvasError, Plan};
use crate::task::Task;
use reqwest::header::{HeaderName, IF_UNMODIFIED_SINCE};
use reqwest::Method;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use time::OffsetDateTime;
use url::Url;

fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    let t = httpdate::parse_http_date(s.trim()).ok()?;
    Some(OffsetDateTime::from(t))
}

/// `If-Unmodified-Since` for a task read with this `lastModified`: the next whole second (or the
/// same one when it is already whole), as an IMF-fixdate. An HTTP date has no fraction; rounding
/// down would name a moment before the task's own last change and every PUT would fail with
/// 412, so the only date that lets our own read pass is the one just after it.
pub(crate) fn precondition_date(last_modified: OffsetDateTime) -> Option<String> {
    let secs = last_modified.unix_timestamp() + i64::from(last_modified.nanosecond() > 0);
    let secs = u64::try_from(secs).ok()?;
    Some(httpdate::fmt_http_date(
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
    ))
}

/// How many times a read-modify-PUT starts over after Canvas answers 412 (someone else changed
/// the task between our read and our write).
const CONFLICT_RETRIES: u32 = 3;

/// How many extra reads a write may spend waiting for Canvas's clock to leave the second of
/// the task's last change (two suffice: one after the wait, one proven to follow it), and the
/// longest single wait, should Canvas's clock lag the time it stamps on tasks.
const SAME_SECOND_REREADS: u32 = 3;
const SAME_SECOND_WAIT_CAP: Duration = Duration::from_millis(1500);

/// A picker asks for pages of at most 20 (nobody scrolls 100 Jane Does) and reads at most 5
/// of them; past that the listing says it was cut rather than hang on a huge clinic.
const PICKER_PAGE: u32 = 20;
const PICKER_PAGES: usize = 5;

#[derive(Clone)]
pub struct CanvasClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    cfg: CanvasConfig,
    tokens: TokenCache,
    /// Canvas's clock as its latest answer's `Date` header gave it, and when that answer came.
    date: Mutex<Option<(OffsetDateTime, Instant)>>,
}

impl CanvasClient {
    pub fn new(cfg: CanvasConfig) -> Result<Self, CanvasError> {
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .user_agent(concat!("Taskbell/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CanvasError::Config(format!("cannot start an HTTP client: {e}")))?;
        let date = Mutex::new(None);
        Ok(CanvasClient {
            inner: Arc::new(Inner {
                http,
                cfg,
                tokens: TokenCache::default(),
                date,
            }),
        })
    }

    pub fn config(&self) -> &CanvasConfig {
        &self.inner.cfg
    }

    pub fn system(&self) -> &str {
        &self.inner.cfg.system
    }

    pub(super) async fn call(&self, call: Call) -> Result<Answer, CanvasError> {
        let answer = send(&self.inner.http, &self.inner.cfg, &self.inner.tokens, &call).await?;
        if let Some(date) = answer.header("date").and_then(parse_http_date) {
            *self.inner.date.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((date, Instant::now()));
        }
        Ok(answer)
    }

    /// Canvas's clock now, from its latest answer's `Date` plus the time since (measured on a
    /// monotonic clock, so the desktop's wall clock plays no part). `None` before any answer.
    pub fn canvas_now(&self) -> Option<OffsetDateTime> {
        let sample = *self.inner.date.lock().unwrap_or_else(|p| p.into_inner());
        sample.map(|(date, seen)| {
            date.saturating_add(seen.elapsed().try_into().unwrap_or(time::Duration::ZERO))
        })
    }

    /// Canvas's clock now, asking Canvas if it has not answered yet.
    pub async fn canvas_time(&self) -> Result<OffsetDateTime, CanvasError> {
        if let Some(now) = self.canvas_now() {
            return Ok(now);
        }
        let mut url = self.inner.cfg.fhir_url("Task");
        url.query_pairs_mut().append_pair("_count", "1");
        self.call(Call::get(url)).await?;
        self.canvas_now()
            .ok_or_else(|| CanvasError::BadResponse("the answer has no Date header".into()))
    }

    /// Fetches a token now, to prove the credentials work.
    pub async fn check_credentials(&self) -> Result<(), CanvasError> {
        self.inner
            .tokens
            .get(&self.inner.http, &self.inner.cfg)
            .await
            .map(|_| ())
    }

    /// `POST /Task`; Canvas answers 201 with no body and the new id only in `Location`.
    pub async fn create_task(&self, draft: &TaskDraft) -> Result<String, CanvasError> {
        let url = self.inner.cfg.fhir_url("Task");
        let answer = self
            .call(Call {
                method: Method::POST,
                url,
                body: Some(draft.to_fhir()),
                headers: Vec::new(),
                idempotent: false,
            })
            .await?;
        if answer.status != 201 && answer.status != 200 {
            // A success all the same: the task exists.
            return Err(CanvasError::UnreadCreation(format!(
                "the answer was {} instead of 201",
                answer.status
            )));
        }
        let location = answer
            .header("location")
            .or_else(|| answer.header("content-location"))
            .ok_or_else(|| {
                CanvasError::UnreadCreation("the answer has no Location header".into())
            })?;
        fhir::id_from_location(location).ok_or_else(|| {
            CanvasError::UnreadCreation(format!("no task id in the Location header {location:?}"))
        })
    }

    pub async fn read_task(&self, id: &str) -> Result<Task, CanvasError> {
        fhir::task_from_fhir(self.system(), &self.read_dated(id).await?.0)
    }

    /// The task as Canvas answered it, and the answer's `Date` (Canvas's clock, whole seconds).
    async fn read_dated(&self, id: &str) -> Result<(Value, Option<OffsetDateTime>), CanvasError> {
        let answer = self.call(Call::get(self.task_url(id)?)).await?;
        Ok((
            answer.json()?,
            answer.header("date").and_then(parse_http_date),
        ))
    }

    /// The `Date` of Canvas's latest answer, as it said it.
    fn latest_date(&self) -> Option<OffsetDateTime> {
        self.inner
            .date
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|(date, _)| date)
    }

    /// Applies `req` to the task as Canvas holds it: read, plan, PUT the writable fields
    /// (never the old notes: Canvas appends every note it is sent) on the condition that nobody
    /// changed the task since the read. On a 412 the task is read again and the intent applied
    /// to what changed, or reported when it no longer makes sense.
    pub async fn act(&self, id: &str, req: &ActionRequest) -> Result<Acted, CanvasError> {
        req.check().map_err(CanvasError::Config)?;
        let (mut conflicts, mut rereads) = (0, 0);
        loop {
            // Canvas's clock before this read is sent: the read is answered as of a later moment.
            let sent_after = self.latest_date();
            let (read, answered_at) = self.read_dated(id).await?;
            let task = fhir::task_from_fhir(self.system(), &read)?;
            match req.plan(&task) {
                Plan::Put => {}
                Plan::Already(why) => return Ok(Acted::Already(task, why)),
                Plan::Refused(why) => return Ok(Acted::Refused(task, why)),
            }
            // Without the precondition a PUT would silently undo whatever changed since the
            // read, so a task whose change time cannot be read is not written at all.
            let since = task.modified.and_then(precondition_date).ok_or_else(|| {
                CanvasError::BadResponse(format!(
                    "task {id} came back without a usable lastModified, so it cannot be updated safely"
                ))
            })?;
            let last_change = task.modified.map_or(0, |m| m.unix_timestamp());
            // `If-Unmodified-Since` has whole seconds: a change made after this read but within
            // the second of `lastModified` would pass it unseen. Only a read answered once
            // Canvas's clock has left that second (as an earlier answer's `Date` proves) shows
            // every change such a second can hold.
            if sent_after.is_none_or(|t| t.unix_timestamp() <= last_change)
                && rereads < SAME_SECOND_REREADS
            {
                rereads += 1;
                let behind = answered_at.map_or(1, |t| last_change + 1 - t.unix_timestamp());
                if behind > 0 {
                    let wait = Duration::from_secs(behind.unsigned_abs()).min(SAME_SECOND_WAIT_CAP);
                    tracing::debug!(
                        task = id,
                        ?wait,
                        "task changed this second on Canvas's clock; reading it again after"
                    );
                    tokio::time::sleep(wait).await;
                }
                continue;
            }
            let body = fhir::put_body(&read, |b| req.edit(b))?;
            let headers: Vec<(HeaderName, String)> = vec![(IF_UNMODIFIED_SINCE, since)];
            let put = Call {
                method: Method::PUT,
                url: self.task_url(id)?,
                body: Some(body),
                headers,
                idempotent: req.action.idempotent(),
            };
            match self.call(put).await {
                Err(e) if e.status() == Some(412) && conflicts < CONFLICT_RETRIES => {
                    conflicts += 1;
                    tracing::debug!(
                        task = id,
                        conflicts,
                        "task changed under us; reading it again"
                    );
                }
                Err(e) => return Err(e),
                Ok(_) => return Ok(Acted::Applied(self.read_task(id).await?)),
            }
        }
    }

    /// Patients whose name has every typed word. Canvas's `name` matches part of a first or
    /// a last name, never both, so the longest (most selective) word is searched and the
    /// others are checked here. Inactive patients come back too, marked.
    pub async fn find_patients(&self, typed: &str) -> Result<Listing<PatientSummary>, CanvasError> {
        let words: Vec<&str> = typed.split_whitespace().collect();
        let longest = words
            .iter()
            .copied()
            .max_by_key(|w| w.chars().count())
            .unwrap_or_default();
        let mut listing = self
            .picker("Patient", &[("name", longest)], directory::patient)
            .await?;
        listing
            .items
            .retain(|p| directory::has_every_word(&p.name, &words));
        Ok(listing)
    }

    /// Active staff, schedulable or not: a task goes to a care coordinator or to billing as
    /// often as to a clinician, and Canvas leaves non-schedulable staff out unless asked.
    pub async fn find_practitioners(&self, name: &str) -> Result<Listing<Person>, CanvasError> {
        let params = [
            ("name", name),
            ("include-non-schedulable-practitioners", "true"),
            ("active", "true"),
        ];
        self.picker("Practitioner", &params, directory::practitioner)
            .await
    }

    /// Canvas teams are FHIR Groups of type practitioner. Group search has no name parameter,
    /// so teams are listed whole and `typed` is matched here.
    pub async fn find_teams(&self, typed: &str) -> Result<Listing<Person>, CanvasError> {
        let mut listing = self
            .picker("Group", &[("type", "practitioner")], directory::team)
            .await?;
        let words: Vec<&str> = typed.split_whitespace().collect();
        listing
            .items
            .retain(|t| directory::has_every_word(&t.name, &words));
        Ok(listing)
    }

    async fn picker<T>(
        &self,
        resource: &str,
        params: &[(&str, &str)],
        map: fn(&Value) -> Result<T, CanvasError>,
    ) -> Result<Listing<T>, CanvasError> {
        let mut url = self.inner.cfg.fhir_url(resource);
        // An empty search word means "any": FHIR servers refuse a parameter with no value.
        let given = params.iter().filter(|(_, v)| !v.trim().is_empty());
        let page = self.inner.cfg.page_size.clamp(1, PICKER_PAGE).to_string();
        url.query_pairs_mut()
            .extend_pairs(given)
            .append_pair("_count", &page);
        let mut items = Vec::new();
        for _ in 0..PICKER_PAGES {
            let answer = self.call(Call::get(url)).await?.json()?;
            let (resources, next) = fhir::bundle_page(&answer)?;
            for r in resources {
                items.push(map(r)?);
            }
            match next {
                Some(link) => url = self.inner.cfg.resolve_link(link)?,
                None => {
                    return Ok(Listing {
                        items,
                        truncated: false,
                    })
                }
            }
        }
        Ok(Listing {
            items,
            truncated: true,
        })
    }

    fn task_url(&self, id: &str) -> Result<Url, CanvasError> {
        let valid = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
        if !valid {
            return Err(CanvasError::Config(format!(
                "{id:?} is not a Canvas task id"
            )));
        }
        Ok(self.inner.cfg.fhir_url(&format!("Task/{id}")))
    }
}

#[cfg(test)]
mod tests {
    use super::precondition_date;
    use crate::time_util::parse_rfc3339;

    #[test]
    fn the_precondition_is_lastmodified_rounded_up_to_a_whole_second() {
        let at = |s: &str| parse_rfc3339(s).and_then(precondition_date);
        assert_eq!(
            at("2023-10-22T21:06:27.893521+00:00").as_deref(),
            Some("Sun, 22 Oct 2023 21:06:28 GMT")
        );
        assert_eq!(
            at("2023-10-22T21:06:27.000001+00:00").as_deref(),
            Some("Sun, 22 Oct 2023 21:06:28 GMT")
        );
        assert_eq!(
            at("2023-10-22T21:06:27+00:00").as_deref(),
            Some("Sun, 22 Oct 2023 21:06:27 GMT")
        );
        assert_eq!(
            at("2023-10-22T23:06:27.5+02:00").as_deref(),
            Some("Sun, 22 Oct 2023 21:06:28 GMT")
        );
    }
}

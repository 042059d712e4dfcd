//! Task search: its parameters, written the way Canvas documents them, and the calls that
//! send them.

use super::fhir;
use super::http::Call;
use super::{CanvasClient, CanvasError};
use crate::task::{Task, TaskStatus};
use crate::time_util::format_rfc3339;
use time::OffsetDateTime;
use url::Url;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskSearch {
    params: Vec<(String, String)>,
}

impl TaskSearch {
    pub fn new() -> Self {
        Self::default()
    }

    fn with(mut self, k: &str, v: impl Into<String>) -> Self {
        self.params.push((k.to_string(), v.into()));
        self
    }

    /// Tasks changed strictly after `t`. Not every Canvas instance supports `modified`: the
    /// poller reads tasks one by one where Canvas refuses it but takes the search without it.
    pub fn modified_after(self, t: OffsetDateTime) -> Self {
        self.with("modified", format!("gt{}", format_rfc3339(t)))
    }

    /// `modified` with a value spelled by the caller (a prefix and a date).
    pub fn modified_raw(self, value: String) -> Self {
        self.with("modified", value)
    }

    pub fn status(self, s: TaskStatus) -> Self {
        self.with("status", s.fhir())
    }

    /// One id, or several separated by commas.
    pub fn ids(self, ids: &[&str]) -> Self {
        self.with("_id", ids.join(","))
    }

    pub fn owner(self, practitioner: &str) -> Self {
        self.with("owner", format!("Practitioner/{practitioner}"))
    }

    pub fn requester(self, practitioner: &str) -> Self {
        self.with("requester", format!("Practitioner/{practitioner}"))
    }

    pub fn patient(self, patient: &str) -> Self {
        self.with("patient", format!("Patient/{patient}"))
    }

    pub fn description(self, text: &str) -> Self {
        self.with("description", text)
    }

    pub fn sort(self, field: &str) -> Self {
        self.with("_sort", field)
    }

    pub fn uses_modified(&self) -> bool {
        self.params.iter().any(|(k, _)| k == "modified")
    }

    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

impl CanvasClient {
    /// Every task matching `search`, following `next` links page by page.
    pub async fn search_tasks(&self, search: &TaskSearch) -> Result<Vec<Task>, CanvasError> {
        let mut tasks = Vec::new();
        self.search_pages(search, |page| {
            tasks.extend(page);
            Ok(())
        })
        .await?;
        Ok(tasks)
    }

    /// Hands each page to `each` as it arrives, so a caller can store progress as it goes.
    pub async fn search_pages(
        &self,
        search: &TaskSearch,
        mut each: impl FnMut(Vec<Task>) -> Result<(), CanvasError>,
    ) -> Result<usize, CanvasError> {
        // Canvas caps `_count` at 100 (and may lower it without warning: the `next` links
        // carry whatever it chose).
        let mut url = self.search_url(search, self.config().page_size.clamp(1, 100));
        let mut pages = 0;
        loop {
            let (tasks, next) = self.search_page(url).await?;
            pages += 1;
            each(tasks)?;
            match next {
                Some(link) => url = link,
                None => return Ok(pages),
            }
        }
    }

    /// The first page of `search`, at most `count` tasks: enough to learn whether Canvas
    /// takes the search at all.
    pub async fn search_first_page(
        &self,
        search: &TaskSearch,
        count: u32,
    ) -> Result<Vec<Task>, CanvasError> {
        Ok(self.search_page(self.search_url(search, count)).await?.0)
    }

    fn search_url(&self, search: &TaskSearch, count: u32) -> Url {
        let mut url = self.config().fhir_url("Task");
        url.query_pairs_mut()
            .extend_pairs(search.pairs())
            .append_pair("_count", &count.to_string());
        url
    }

    async fn search_page(&self, url: Url) -> Result<(Vec<Task>, Option<Url>), CanvasError> {
        let answer = self.call(Call::get(url)).await?.json()?;
        let (resources, next) = fhir::bundle_page(&answer)?;
        let tasks = resources
            .into_iter()
            .map(|r| fhir::task_from_fhir(self.system(), r))
            .collect::<Result<Vec<_>, _>>()?;
        let next = next
            .map(|link| self.config().resolve_link(link))
            .transpose()?;
        Ok((tasks, next))
    }
}

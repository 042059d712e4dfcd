//! Task search parameters, written the way Canvas documents them.

use crate::task::TaskStatus;
use crate::time_util::format_rfc3339;
use time::OffsetDateTime;

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

    /// Tasks changed strictly after `t`. Not every Canvas instance supports `modified`; a 400
    /// answer means fall back to reading tasks one by one.
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

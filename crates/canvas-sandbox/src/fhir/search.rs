//! `GET /Task?…`: the documented parameters (`_id`, `status`, `owner`, `requester`, `patient`,
//! `description`, `label`, `modified`, `due`, `_sort`). A comma in a value means "any of";
//! a repeated parameter means "all of", which is how `modified` ranges are written.
//! `modified` filters on the task's `lastModified`.
//!
//! Date prefixes: `eq`/`ne` cover the precision written (a day, a second, or the instant for
//! a value with a fraction); `gt`/`ge`/`lt`/`le` compare against the instant written, as a
//! database filter would, so a cursor taken from `lastModified` is exact.

use time::OffsetDateTime;

use super::bundle::{self, Params};
use super::sort;
use crate::clock::{self, DateRange};
use crate::outcome::Outcome;
use crate::state::AppState;
use crate::store::{Status, TaskRecord};

const KNOWN: &[&str] = &[
    "_id",
    "status",
    "owner",
    "requester",
    "patient",
    "description",
    "label",
    "modified",
    "due",
    "_sort",
];

type Predicate = Box<dyn Fn(&TaskRecord) -> bool + Send>;

#[derive(Debug, Clone, Copy)]
enum Prefix {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

fn date_test(raw: &str, what: &str) -> Result<(Prefix, DateRange), Outcome> {
    let (prefix, rest) = match raw.get(..2) {
        Some("eq") => (Prefix::Eq, &raw[2..]),
        Some("ne") => (Prefix::Ne, &raw[2..]),
        Some("gt") => (Prefix::Gt, &raw[2..]),
        Some("ge") => (Prefix::Ge, &raw[2..]),
        Some("lt") => (Prefix::Lt, &raw[2..]),
        Some("le") => (Prefix::Le, &raw[2..]),
        _ => (Prefix::Eq, raw),
    };
    let range = clock::parse_fhir_date(rest).ok_or_else(|| {
        Outcome::invalid(format!(
            "{what} value \"{raw}\" is not a date or an RFC 3339 dateTime with an offset, \
             optionally prefixed by eq, ne, gt, ge, lt or le."
        ))
    })?;
    Ok((prefix, range))
}

fn date_matches(prefix: Prefix, range: DateRange, t: OffsetDateTime) -> bool {
    let within = range.start <= t && t < range.end;
    match prefix {
        Prefix::Eq => within,
        Prefix::Ne => !within,
        Prefix::Gt => t > range.start,
        Prefix::Ge => t >= range.start,
        Prefix::Lt => t < range.start,
        Prefix::Le => t <= range.start,
    }
}

/// `Practitioner/<id>` or a bare id.
fn ref_ids(value: &str, kind: &str) -> Vec<String> {
    value
        .split(',')
        .map(|v| v.trim())
        .map(|v| {
            v.strip_prefix(kind)
                .and_then(|r| r.strip_prefix('/'))
                .unwrap_or(v)
                .to_owned()
        })
        .collect()
}

fn predicate(state: &AppState, name: &str, value: &str) -> Result<Option<Predicate>, Outcome> {
    let any: Vec<String> = value.split(',').map(|v| v.trim().to_owned()).collect();
    let p: Predicate = match name {
        "_id" => Box::new(move |t| any.contains(&t.id)),
        "status" => {
            let mut statuses = Vec::new();
            for s in &any {
                statuses.push(Status::parse(s).ok_or_else(|| {
                    Outcome::invalid(format!(
                        "status \"{s}\" is not one of requested, completed, cancelled."
                    ))
                })?);
            }
            Box::new(move |t| statuses.contains(&t.status))
        }
        "owner" => {
            let ids = ref_ids(value, "Practitioner");
            Box::new(move |t| t.owner.as_ref().is_some_and(|o| ids.contains(o)))
        }
        "requester" => {
            let ids = ref_ids(value, "Practitioner");
            Box::new(move |t| ids.contains(&t.requester))
        }
        "patient" => {
            let ids = ref_ids(value, "Patient");
            Box::new(move |t| t.patient.as_ref().is_some_and(|p| ids.contains(p)))
        }
        "description" => {
            let needle = value.to_lowercase();
            Box::new(move |t| {
                t.description
                    .as_ref()
                    .is_some_and(|d| d.to_lowercase().contains(&needle))
            })
        }
        "label" => {
            let wanted: Vec<String> = any.iter().map(|l| l.to_lowercase()).collect();
            Box::new(move |t| t.labels.iter().any(|l| wanted.contains(&l.to_lowercase())))
        }
        "modified" => {
            if !state.knobs().modified_search_supported() {
                return Err(Outcome::invalid(
                    "Unknown search parameter \"modified\" for Task.",
                ));
            }
            let (prefix, range) = date_test(value, "modified")?;
            Box::new(move |t| date_matches(prefix, range, t.modified))
        }
        "due" => {
            let (prefix, range) = date_test(value, "due")?;
            Box::new(move |t| t.due.is_some_and(|d| date_matches(prefix, range, d)))
        }
        _ => return Ok(None),
    };
    Ok(Some(p))
}

pub(crate) fn search(state: &AppState, params: &Params) -> Result<serde_json::Value, Outcome> {
    bundle::check_known(params, "Task", KNOWN)?;
    let paging = bundle::paging(params)?;
    let mut predicates = Vec::new();
    let mut sort_keys = Vec::new();
    for (name, value) in params {
        if name == "_sort" {
            sort_keys.push(sort::parse(value)?);
        } else if let Some(p) = predicate(state, name, value)? {
            predicates.push(p);
        }
    }
    let store = state.store();
    // Without `_sort` the order is creation order (the store's), which is stable while tasks
    // change, unlike any order by a time that moves.
    let mut hits: Vec<&TaskRecord> = store
        .iter()
        .filter(|t| predicates.iter().all(|p| p(t)))
        .collect();
    sort::apply(&mut hits, &sort_keys);
    let total = hits.len();
    let dir = state.directory();
    let entries = bundle::page(hits, paging)
        .into_iter()
        .map(|t| super::task_json::render(t, dir, state.base_url()))
        .collect();
    Ok(bundle::searchset("Task", params, paging, total, entries))
}

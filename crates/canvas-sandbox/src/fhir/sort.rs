//! `_sort` on Task, limited to what Canvas documents: `_id`, `-_id`, `due-date`, `-due-date`.
//! Anything else is refused with 400 rather than quietly ignored, so a client that relies on an
//! undocumented order (`_sort=modified`, …) fails here before it fails against a real Canvas.

use std::cmp::Ordering;

use crate::outcome::Outcome;
use crate::store::TaskRecord;

const DOCUMENTED: &[&str] = &["_id", "-_id", "due-date", "-due-date"];

#[derive(Debug, Clone, Copy)]
enum Key {
    Id,
    Due,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct SortKey {
    key: Key,
    descending: bool,
}

/// One `_sort` value. A repeated `_sort` adds tie-breakers in the order written.
pub(crate) fn parse(value: &str) -> Result<SortKey, Outcome> {
    let (key, descending) = match value.trim() {
        "_id" => (Key::Id, false),
        "-_id" => (Key::Id, true),
        "due-date" => (Key::Due, false),
        "-due-date" => (Key::Due, true),
        _ => {
            return Err(Outcome::invalid(format!(
                "Search parameter _sort has an unsupported value \"{value}\"; Task supports {}.",
                DOCUMENTED.join(", ")
            )))
        }
    };
    Ok(SortKey { key, descending })
}

fn compare_one(a: &TaskRecord, b: &TaskRecord, sort: SortKey) -> Ordering {
    let flip = |o: Ordering| if sort.descending { o.reverse() } else { o };
    match sort.key {
        Key::Id => flip(a.id.cmp(&b.id)),
        // No due date means no deadline: last in either direction.
        Key::Due => match (a.due, b.due) {
            (Some(x), Some(y)) => flip(x.cmp(&y)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        },
    }
}

/// Sorts `hits` stably: ties keep the order they came in (creation order from the store), so
/// paging never shows a task twice or skips one while nothing changes.
pub(crate) fn apply(hits: &mut [&TaskRecord], keys: &[SortKey]) {
    if keys.is_empty() {
        return;
    }
    hits.sort_by(|a, b| {
        keys.iter()
            .map(|k| compare_one(a, b, *k))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
}

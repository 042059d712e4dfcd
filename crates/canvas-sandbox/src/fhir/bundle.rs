//! Search plumbing shared by every resource: the raw parameter list, `_count`/`_offset`
//! paging, and the `searchset` Bundle with `self`/`first`/`previous`/`next`/`last` links
//! relative to the FHIR base as Canvas's documented example writes them (`/Task?…`); no `next`
//! on the last page, which is how clients know to stop, and no links at all on an empty result.

use serde_json::{json, Value};

use crate::outcome::Outcome;

pub(crate) const DEFAULT_COUNT: usize = 10;
/// Canvas documents 100 as the maximum, and that it may change; larger values are clamped.
pub(crate) const MAX_COUNT: usize = 100;

/// Query parameters in order, repeats kept (`modified=ge…&modified=lt…` is a range).
pub(crate) type Params = Vec<(String, String)>;

pub(crate) fn parse_query(raw: Option<&str>) -> Params {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

/// Rejects parameters a resource does not support, as Canvas answers 400 for them.
pub(crate) fn check_known(params: &Params, resource: &str, known: &[&str]) -> Result<(), Outcome> {
    for (name, value) in params {
        if name == "_count" || name == "_offset" {
            continue;
        }
        if !known.contains(&name.as_str()) {
            return Err(Outcome::invalid(format!(
                "Unknown search parameter \"{name}\" for {resource}. Supported: {}, _count, _offset.",
                known.join(", ")
            )));
        }
        if value.trim().is_empty() {
            return Err(Outcome::invalid(format!(
                "Search parameter \"{name}\" has no value."
            )));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Paging {
    pub count: usize,
    pub offset: usize,
}

fn last_value<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

pub(crate) fn paging(params: &Params) -> Result<Paging, Outcome> {
    let number = |name: &str, default: usize| -> Result<usize, Outcome> {
        match last_value(params, name) {
            None => Ok(default),
            Some(v) => v.trim().parse::<usize>().map_err(|_| {
                Outcome::invalid(format!(
                    "{name} must be a non-negative integer, not \"{v}\"."
                ))
            }),
        }
    };
    Ok(Paging {
        count: number("_count", DEFAULT_COUNT)?.min(MAX_COUNT),
        offset: number("_offset", 0)?,
    })
}

fn link(base: &str, params: &Params, count: usize, offset: usize) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in params
        .iter()
        .filter(|(n, _)| n != "_count" && n != "_offset")
    {
        query.append_pair(name, value);
    }
    query.append_pair("_count", &count.to_string());
    query.append_pair("_offset", &offset.to_string());
    format!("{base}?{}", query.finish())
}

/// `entries` is the page: resources already cut to `paging`.
pub(crate) fn searchset(
    resource_type: &str,
    params: &Params,
    paging: Paging,
    total: usize,
    entries: Vec<Value>,
) -> Value {
    let base = format!("/{resource_type}");
    let Paging { count, offset } = paging;
    let mut links = vec![
        json!({"relation": "self", "url": link(&base, params, count, offset)}),
        json!({"relation": "first", "url": link(&base, params, count, 0)}),
    ];
    if count > 0 {
        if offset > 0 {
            let previous = offset.saturating_sub(count);
            links
                .push(json!({"relation": "previous", "url": link(&base, params, count, previous)}));
        }
        if offset + count < total {
            links.push(
                json!({"relation": "next", "url": link(&base, params, count, offset + count)}),
            );
        }
        let last = total.saturating_sub(1) / count * count;
        links.push(json!({"relation": "last", "url": link(&base, params, count, last)}));
    }
    // Canvas's documented entries carry the resource only: no `fullUrl`, no `search.mode`.
    let entry: Vec<Value> = entries
        .into_iter()
        .map(|resource| json!({"resource": resource}))
        .collect();
    let mut bundle = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": entry,
    });
    if total == 0 {
        if let Some(obj) = bundle.as_object_mut() {
            obj.remove("link");
        }
    }
    bundle
}

/// The slice of `items` a page covers.
pub(crate) fn page<T>(items: Vec<T>, paging: Paging) -> Vec<T> {
    items
        .into_iter()
        .skip(paging.offset)
        .take(paging.count)
        .collect()
}

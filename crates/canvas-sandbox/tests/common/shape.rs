//! Key-by-key comparison of a sandbox answer with one of Canvas's documented examples
//! (fixtures/, verbatim from the docs): the same keys at every level and the same JSON types,
//! with ids, times and free text allowed to differ. Times must still be written the same way.

use std::collections::BTreeSet;

use serde_json::Value;

pub fn fixture(name: &str) -> Value {
    serde_json::from_str(&fixture_text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn fixture_text(name: &str) -> String {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Values that are the same in every Canvas answer, so they must match too.
const FIXED: &[&str] = &[
    "resourceType",
    "url",
    "intent",
    "relation",
    "type",
    "token_type",
];

/// A `url` is fixed only as an extension's own name (`…/extension/3/url`): a link's `url` is
/// the query's, an attachment's or a photo's points at the resource.
fn is_fixed(path: &str, key: &str) -> bool {
    if key != "url" {
        return FIXED.contains(&key);
    }
    let mut parts = path.rsplit('/');
    let index = parts.next().unwrap_or_default();
    !index.is_empty()
        && index.bytes().all(|b| b.is_ascii_digit())
        && parts.next() == Some("extension")
}

/// Times and dates: the value differs, the way it is written must not.
const TIMES: &[&str] = &[
    "authoredOn",
    "lastModified",
    "time",
    "start",
    "end",
    "birthDate",
];

/// `2023-10-22T21:06:27.893521+00:00` -> `9999-99-99T99:99:99.999999+99:99`.
fn time_shape(v: &Value) -> String {
    v.as_str()
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect()
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

pub fn compare(path: &str, documented: &Value, ours: &Value, diffs: &mut Vec<String>) {
    if kind(documented) != kind(ours) {
        diffs.push(format!(
            "{path}: documented {}, sandbox {}",
            kind(documented),
            kind(ours)
        ));
        return;
    }
    match (documented, ours) {
        (Value::Object(d), Value::Object(o)) => {
            let dk: BTreeSet<&String> = d.keys().collect();
            let ok: BTreeSet<&String> = o.keys().collect();
            if dk != ok {
                diffs.push(format!(
                    "{path}: only documented {:?}, only sandbox {:?}",
                    dk.difference(&ok).collect::<Vec<_>>(),
                    ok.difference(&dk).collect::<Vec<_>>()
                ));
            }
            for key in dk.intersection(&ok) {
                let (dv, ov) = (&d[*key], &o[*key]);
                let here = format!("{path}/{key}");
                if is_fixed(path, key) && dv.is_string() && dv != ov {
                    diffs.push(format!("{here}: documented {dv}, sandbox {ov}"));
                }
                let both_strings = dv.is_string() && ov.is_string();
                if TIMES.contains(&key.as_str()) && both_strings && time_shape(dv) != time_shape(ov)
                {
                    diffs.push(format!("{here}: documented like {dv}, sandbox {ov}"));
                }
                compare(&here, dv, ov, diffs);
            }
        }
        (Value::Array(d), Value::Array(o)) => {
            // How many given names or address lines someone has is data, not shape: a list of
            // plain values only has to hold values of the documented kind.
            if d.iter().chain(o).all(is_scalar) && !d.is_empty() && !o.is_empty() {
                for (i, ov) in o.iter().enumerate() {
                    compare(&format!("{path}/{i}"), &d[0], ov, diffs);
                }
                return;
            }
            if d.len() != o.len() {
                diffs.push(format!(
                    "{path}: documented {} items, sandbox {}",
                    d.len(),
                    o.len()
                ));
            }
            for (i, (dv, ov)) in d.iter().zip(o).enumerate() {
                compare(&format!("{path}/{i}"), dv, ov, diffs);
            }
        }
        _ => {}
    }
}

pub fn assert_same_shape(documented: &Value, ours: &Value) {
    let mut diffs = Vec::new();
    compare("", documented, ours, &mut diffs);
    assert!(
        diffs.is_empty(),
        "differs from the docs:\n{}\nsandbox: {ours:#}",
        diffs.join("\n")
    );
}

/// The first entry of a search answer, the rest dropped, to compare with a documented example
/// that holds one.
pub fn first_entry_only(mut bundle: Value) -> Value {
    let entries = bundle["entry"]
        .as_array_mut()
        .expect("a search answer has entries");
    assert!(!entries.is_empty(), "the search found something");
    entries.truncate(1);
    bundle
}

//! The crate-private readers of what Canvas answers never panic: an OperationOutcome (any
//! non-2xx answer) and the picker resources (Patient, Practitioner, Group), fed arbitrary bytes
//! and arbitrary JSON shaped like the real thing. The public readers are fed the same from
//! `tests/parsers_fuzz.rs`.

#[path = "../../tests/support/arbitrary_json.rs"]
mod arbitrary_json;

use super::{directory, CanvasError};
use arbitrary_json::{body, json};
use proptest::prelude::*;
use serde_json::{json, Value};

fn read_answer(status: u16, body: &[u8]) {
    let e = CanvasError::from_answer(status, body);
    // The error is shown to people: its words must be producible too.
    let _ = e.to_string();
}

fn read_resource(v: &Value) {
    let _ = directory::patient(v);
    let _ = directory::practitioner(v);
    let _ = directory::team(v);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn answers_of_any_bytes_are_read(status in 100u16..600, body in body()) {
        read_answer(status, &body);
    }

    #[test]
    fn outcomes_of_any_shape_are_read(status in 400u16..600, v in json()) {
        read_answer(status, v.to_string().as_bytes());
        let outcome = json!({"resourceType": "OperationOutcome", "issue": v});
        read_answer(status, outcome.to_string().as_bytes());
        let issues = json!({"resourceType": "OperationOutcome", "issue": [v, {"code": v, "details": v, "diagnostics": v}]});
        read_answer(status, issues.to_string().as_bytes());
    }

    #[test]
    fn picker_resources_of_any_shape_are_read(v in json()) {
        read_resource(&v);
        read_resource(&json!({"id": "x", "name": v}));
        read_resource(&json!({"id": "x", "name": [v]}));
    }
}

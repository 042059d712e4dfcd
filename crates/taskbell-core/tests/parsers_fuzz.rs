//! No parser panics on what arrives from outside: every payload reader and every public FHIR
//! reader, fed arbitrary bytes and arbitrary JSON shaped like the real thing, returns Ok or
//! Err. (The crate-private FHIR readers, OperationOutcome's among them, are fed the same shapes
//! from `src/canvas/fuzz.rs`.)

#[path = "support/arbitrary_json.rs"]
mod arbitrary_json;

use arbitrary_json::{body, json, json_object};
use proptest::prelude::*;
use serde_json::{json, Value};
use taskbell_core::canvas::fhir;
use taskbell_core::inbox::payload::{parse_canvas, parse_fragment, Delivery};
use taskbell_core::Source;

fn delivery(transport_id: Option<&str>) -> Delivery<'_> {
    Delivery {
        source: Source::Webhook,
        transport_id,
    }
}

/// Every payload reader on one body; the result is dropped, a panic fails the case.
fn read_payload(body: &[u8], transport_id: Option<&str>) {
    let _ = parse_canvas("sandbox", body, delivery(transport_id));
    let _ = parse_fragment(
        body,
        Delivery {
            source: Source::Fragment,
            transport_id,
        },
    );
}

/// Every public FHIR reader on one value, following a Bundle as the client does.
fn read_fhir(v: &Value) {
    let _ = fhir::task_from_fhir("sandbox", v);
    if let Ok((resources, next)) = fhir::bundle_page(v) {
        for r in resources {
            let _ = fhir::task_from_fhir("sandbox", r);
        }
        let _ = next.map(fhir::id_from_location);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn payload_readers_take_any_bytes(body in body(), id in proptest::option::of(".{0,40}")) {
        read_payload(&body, id.as_deref());
    }

    #[test]
    fn payload_readers_take_any_json(v in json_object()) {
        read_payload(v.to_string().as_bytes(), Some("msg_1"));
        // As a socket frame's envelope, and as each documented shape's outer layer.
        read_payload(json!({"message": v}).to_string().as_bytes(), None);
        let mut relay = json!({"version": 1, "event_id": "e1", "event": "updated"});
        relay["task"] = v.clone();
        read_payload(relay.to_string().as_bytes(), None);
        read_payload(json!({"type": "task.completed", "data": v}).to_string().as_bytes(), None);
    }

    #[test]
    fn fhir_readers_take_any_json(v in json()) {
        read_fhir(&v);
        // Past the resourceType checks, with whatever else the value holds.
        for kind in ["Task", "Bundle"] {
            let mut typed = v.clone();
            if let Some(o) = typed.as_object_mut() {
                o.insert("resourceType".into(), kind.into());
                read_fhir(&typed);
            }
        }
        read_fhir(&json!({"resourceType": "Bundle", "entry": [{"resource": v}], "link": [{"relation": "next", "url": v}]}));
    }

    #[test]
    fn fhir_readers_take_any_bytes_that_parse(body in body()) {
        if let Ok(v) = serde_json::from_slice::<Value>(&body) {
            read_fhir(&v);
        }
    }

    #[test]
    fn locations_take_any_text(s in any::<String>()) {
        let _ = fhir::id_from_location(&s);
        let _ = fhir::id_from_location(&format!("https://h/Task/{s}"));
    }
}

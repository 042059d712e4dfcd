//! The sandbox's Patient and Practitioner search answers have the shapes of the docs'
//! examples (fixtures/patient-search.json, fixtures/practitioner-search.json), compared key by
//! key as `common::shape` describes.

mod common;

use common::shape::{assert_same_shape, compare, first_entry_only, fixture};
use common::Api;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn patient_search_has_the_documented_shape() {
    let api = Api::new().await;
    // The docs search `family=Jones&gender=female` and find one patient.
    let (status, ours) = api
        .get_json("/Patient?family=Quillfeather&gender=female")
        .await;
    assert_eq!(status, StatusCode::OK, "{ours}");
    assert_eq!(ours["total"], 1, "{ours}");
    assert_same_shape(&fixture("patient-search.json"), &ours);
}

#[tokio::test]
async fn a_patient_read_has_the_shape_of_a_searched_one() {
    let api = Api::new().await;
    let (_, found) = api.get_json("/Patient?name=Quillon").await;
    let found = first_entry_only(found);
    let id = found["entry"][0]["resource"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        found["entry"][0]["resource"]["active"], false,
        "an inactive chart is found too"
    );
    let (status, read) = api.get_json(&format!("/Patient/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_same_shape(
        &fixture("patient-search.json")["entry"][0]["resource"],
        &read,
    );
}

/// The docs' "search response" example is one Practitioner, not a Bundle (a FHIR search
/// always answers a Bundle): the sandbox answers a Bundle whose resources have its shape.
#[tokio::test]
async fn practitioner_search_entries_have_the_documented_shape() {
    let api = Api::new().await;
    let everyone = "include-non-schedulable-practitioners=true";
    let (status, ours) = api
        .get_json(&format!("/Practitioner?{everyone}&_count=100"))
        .await;
    assert_eq!(status, StatusCode::OK, "{ours}");
    let entries = ours["entry"].as_array().expect("entries");
    assert!(entries.len() >= 7, "schedulable and not: {}", entries.len());
    let documented = fixture("practitioner-search.json");
    for entry in entries {
        assert_same_shape(&documented, &entry["resource"]);
    }
    let id = entries[0]["resource"]["id"].as_str().expect("id");
    let (_, read) = api.get_json(&format!("/Practitioner/{id}")).await;
    assert_same_shape(&documented, &read);
}

#[test]
fn the_comparison_fixes_extension_urls_but_not_links_and_counts_no_names() {
    let documented = fixture("practitioner-search.json");
    let mut diffs = Vec::new();
    let mut renamed = documented.clone();
    renamed["extension"][4]["url"] = json!("http://schemas.canvasmedical.com/fhir/extensions/role");
    compare("", &documented, &renamed, &mut diffs);
    let mut one_role_less = documented.clone();
    one_role_less["extension"][4]["extension"]
        .as_array_mut()
        .unwrap()
        .pop();
    compare("", &documented, &one_role_less, &mut diffs);
    let mut born = documented.clone();
    born["birthDate"] = json!("10/10/1988");
    compare("", &documented, &born, &mut diffs);
    assert_eq!(diffs.len(), 3, "{diffs:#?}");

    let mut same = Vec::new();
    let mut elsewhere = documented.clone();
    elsewhere["photo"][0]["url"] = json!("https://photos.example.com/1.jpg");
    elsewhere["extension"][3]["valueAttachment"]["url"] = json!("https://example.com/signature");
    elsewhere["name"][0]["given"] = json!(["Samantha", "Ann"]);
    compare("", &documented, &elsewhere, &mut same);
    assert!(same.is_empty(), "{same:#?}");
}

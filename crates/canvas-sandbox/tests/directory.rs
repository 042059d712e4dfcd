//! The pickers: Patient, Practitioner and Group search and read.

mod common;

use canvas_sandbox::SandboxConfig;
use common::{ids, outcome, Api};
use reqwest::StatusCode;

#[tokio::test]
async fn patients_by_name_and_birthdate() {
    let api = Api::new().await;
    let clinic = api.sb.clinic();
    assert_eq!(clinic.patients.len(), 12);
    let (status, all) = api.get_json("/Patient?_count=100").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["total"], 12);
    let patient = &all["entry"][0]["resource"];
    assert_eq!(patient["resourceType"], "Patient");
    assert!(patient["name"][0]["family"].is_string());
    assert!(patient["name"][0]["given"][0].is_string());
    assert!(patient["birthDate"].is_string() && patient["gender"].is_string());

    let (id, display) = &clinic.patients[2];
    let family = display.split_whitespace().last().unwrap().to_lowercase();
    let (_, found) = api
        .get_json(&format!("/Patient?name={}", &family[..4]))
        .await;
    assert!(ids(&found).contains(id), "{found}");
    let born = patient["birthDate"].as_str().unwrap().to_owned();
    let (_, by_birth) = api.get_json(&format!("/Patient?birthdate={born}")).await;
    assert_eq!(by_birth["entry"][0]["resource"]["birthDate"], born.as_str());

    let (status, one) = api.get_json(&format!("/Patient/{id}")).await;
    assert_eq!(
        (status, one["id"].as_str()),
        (StatusCode::OK, Some(id.as_str()))
    );
    assert_eq!(
        outcome(api.get("/Patient/nobody").await).await.1,
        "not-found"
    );
    assert_eq!(
        outcome(api.get("/Patient?colour=red").await).await.1,
        "invalid"
    );
}

#[tokio::test]
async fn practitioners_and_teams() {
    let api = Api::new().await;
    let clinic = api.sb.clinic();
    let (_, staff) = api.get_json("/Practitioner").await;
    assert_eq!(
        staff["total"].as_u64().unwrap() as usize,
        clinic.practitioners.len()
    );
    let (id, display) = &clinic.practitioners[1];
    let given = display.split_whitespace().next().unwrap().to_uppercase();
    let (_, found) = api.get_json(&format!("/Practitioner?name={given}")).await;
    assert_eq!(ids(&found), vec![id.clone()]);
    assert_eq!(
        found["entry"][0]["resource"]["resourceType"],
        "Practitioner"
    );

    let (_, teams) = api.get_json("/Group?type=practitioner").await;
    assert_eq!(teams["total"], 2);
    let team = &teams["entry"][0]["resource"];
    assert_eq!(team["resourceType"], "Group");
    assert_eq!(team["type"], "practitioner");
    assert_eq!(team["name"], clinic.teams[0].1.as_str());
    let (status, one) = api.get_json(&format!("/Group/{}", clinic.teams[1].0)).await;
    assert_eq!(
        (status, one["name"].as_str()),
        (StatusCode::OK, Some(clinic.teams[1].1.as_str()))
    );
    let (_, other) = api.get_json("/Group?type=person").await;
    assert_eq!(other["total"], 0);
    assert_eq!(outcome(api.get("/Encounter").await).await.1, "not-found");
}

#[tokio::test]
async fn an_unseeded_clinic_still_has_a_requester() {
    let api = Api::with(SandboxConfig {
        seed_clinic: false,
        ..Default::default()
    })
    .await;
    let clinic = api.sb.clinic();
    assert!(clinic.patients.is_empty() && clinic.teams.is_empty());
    assert_eq!(clinic.practitioners.len(), 1);
    assert_eq!(clinic.requester, clinic.practitioners[0].0);
    api.create(&api.body("works")).await;
}

//! The pickers: Patient, Practitioner and Group search and read.

mod common;

use canvas_sandbox::SandboxConfig;
use common::{ids, outcome, Api};
use reqwest::StatusCode;

#[tokio::test]
async fn patients_by_name_and_birthdate() {
    let api = Api::new().await;
    let clinic = api.sb.clinic();
    assert_eq!(clinic.patients.len(), 16);
    let (status, all) = api.get_json("/Patient?_count=100").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        all["total"], 16,
        "inactive patients are returned by default"
    );
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
    let (_, by_birth) = api.get_json(&format!("/Patient?birthDate={born}")).await;
    assert_eq!(by_birth["entry"][0]["resource"]["birthDate"], born.as_str());
    assert_eq!(
        outcome(api.get(&format!("/Patient?birthdate={born}")).await)
            .await
            .1,
        "invalid",
        "the docs spell it birthDate"
    );

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
async fn a_patient_name_search_matches_part_of_a_first_or_a_last_name() {
    let api = Api::new().await;
    let names = |bundle: &serde_json::Value| -> Vec<String> {
        bundle["entry"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                e["resource"]["name"][0]["text"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let (_, whole) = api.get_json("/Patient?name=Avery%20Quill").await;
    assert_eq!(
        whole["total"], 0,
        "first and last name together match nobody: {whole}"
    );
    let (_, part) = api.get_json("/Patient?name=quill").await;
    assert_eq!(names(&part), ["Avery Quillfeather", "Mireille Quillon"]);
    let (_, either) = api.get_json("/Patient?name=ellery").await;
    assert_eq!(names(&either), ["Rowan Ellery", "Ellery Rowanson"]);
    let (_, given) = api.get_json("/Patient?given=ellery").await;
    assert_eq!(names(&given), ["Ellery Rowanson"]);
}

#[tokio::test]
async fn inactive_patients_are_marked_and_can_be_left_out() {
    let api = Api::new().await;
    let (_, found) = api.get_json("/Patient?name=Fallowmere").await;
    assert_eq!(found["entry"][0]["resource"]["active"], false);
    let (_, active) = api.get_json("/Patient?name=Fallowmere&active=true").await;
    assert_eq!(active["total"], 0);
    let (_, inactive) = api.get_json("/Patient?active=FALSE").await;
    assert_eq!(inactive["total"], 2);
    assert_eq!(
        outcome(api.get("/Patient?active=maybe").await).await.1,
        "invalid"
    );
}

#[tokio::test]
async fn practitioners_and_teams() {
    let api = Api::new().await;
    let clinic = api.sb.clinic();
    let (_, staff) = api.get_json("/Practitioner").await;
    assert_eq!(
        staff["total"], 5,
        "schedulable active staff only by default"
    );
    let (id, display) = &clinic.practitioners[1];
    let given = display.split_whitespace().next().unwrap().to_uppercase();
    let (_, found) = api.get_json(&format!("/Practitioner?name={given}")).await;
    assert_eq!(ids(&found), vec![id.clone()]);
    assert_eq!(
        found["entry"][0]["resource"]["resourceType"],
        "Practitioner"
    );

    let (_, teams) = api.get_json("/Group?type=practitioner&_count=100").await;
    assert_eq!(teams["total"], 25);
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
    let (status, code, text) = outcome(api.get("/Group?name=Billing").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "invalid")
    );
    assert!(text.contains("name"), "{text}");
    assert_eq!(outcome(api.get("/Encounter").await).await.1, "not-found");
}

#[tokio::test]
async fn non_schedulable_and_inactive_staff_only_when_asked() {
    let api = Api::new().await;
    let (_, rooke) = api.get_json("/Practitioner?name=Rooke").await;
    assert_eq!(rooke["total"], 0, "a care coordinator is not schedulable");
    let (_, rooke) = api
        .get_json("/Practitioner?name=Rooke&include-non-schedulable-practitioners=true")
        .await;
    assert_eq!(rooke["total"], 1);
    let (_, everyone) = api
        .get_json("/Practitioner?include-non-schedulable-practitioners=true&active=true")
        .await;
    assert_eq!(everyone["total"], 7);
    let (_, former) = api.get_json("/Practitioner?active=False").await;
    assert_eq!(former["total"], 1);
    assert_eq!(former["entry"][0]["resource"]["active"], false);
    assert_eq!(
        outcome(api.get("/Practitioner?schedulable=true").await)
            .await
            .1,
        "invalid"
    );
    assert_eq!(
        outcome(
            api.get("/Practitioner?include-non-schedulable-practitioners=yes")
                .await
        )
        .await
        .1,
        "invalid"
    );
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

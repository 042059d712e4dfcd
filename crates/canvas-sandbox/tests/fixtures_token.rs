//! The token exchange as customer-authentication.md documents it (fixtures/token-request.sh,
//! fixtures/token-response.json): the documented request is accepted as written, and the answer
//! has the documented keys, less the refresh token the docs say client credentials never get.

mod common;

use common::shape::{assert_same_shape, fixture, fixture_text};
use common::{http, start};
use reqwest::StatusCode;
use serde_json::Value;

/// `(name, value)` of each `--data-urlencode 'name=value'` line of the documented curl.
fn documented_fields() -> Vec<(String, String)> {
    fixture_text("token-request.sh")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--data-urlencode '"))
        .map(|l| l.trim_end_matches(['\\', ' ']).trim_end_matches('\''))
        .map(|l| l.split_once('=').expect("name=value"))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[tokio::test]
async fn the_documented_token_request_is_answered_with_the_documented_keys() {
    let sb = start().await;
    let config = sb.config();
    let text = fixture_text("token-request.sh");
    assert!(
        text.contains("{YOUR_CANVAS_EHR_INSTANCE}/auth/token/'"),
        "the documented path"
    );
    assert!(text.contains("Content-Type: application/x-www-form-urlencoded"));
    let fields: Vec<(String, String)> = documented_fields()
        .into_iter()
        .map(|(k, v)| {
            let v = v.replace("{YOUR_CLIENT_ID}", &config.client_id);
            (k, v.replace("{YOUR_CLIENT_SECRET}", &config.client_secret))
        })
        .collect();
    assert_eq!(fields.len(), 3, "{fields:?}");
    let url = sb.token_url();
    assert!(url.ends_with("/auth/token/"), "{url}");
    let response = http().post(url).form(&fields).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let ours: Value = response.json().await.unwrap();

    let mut documented = fixture("token-response.json");
    documented
        .as_object_mut()
        .unwrap()
        .remove("refresh_token")
        .expect("documented for the code flow");
    assert_same_shape(&documented, &ours);
    // "valid for 10 hours"
    assert_eq!(ours["expires_in"], documented["expires_in"]);
    assert!(ours.get("refresh_token").is_none());
    let received = sb.knobs().token_requests();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].fields, fields);
    assert_eq!(
        received[0].content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
}

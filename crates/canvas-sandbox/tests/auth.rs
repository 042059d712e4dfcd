//! OAuth2 client credentials and the bearer check on FHIR calls.

mod common;

use std::time::Duration;

use canvas_sandbox::SandboxConfig;
use common::{http, outcome, start, start_with, token, Api};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn issues_bearer_tokens_for_the_right_credentials() {
    let sb = start().await;
    let response = http()
        .post(sb.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "sandbox-client"),
            ("client_secret", "sandbox-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 36000);
    let scope = body["scope"].as_str().unwrap();
    assert!(
        scope
            .split(' ')
            .all(|s| s.starts_with("user/") && s.contains('.')),
        "{scope}"
    );
    assert!(scope.contains("user/Task.write"), "{scope}");
    let no_slash = http()
        .post(sb.token_url().trim_end_matches('/'))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "sandbox-client"),
            ("client_secret", "sandbox-secret"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        no_slash.status(),
        StatusCode::NOT_FOUND,
        "the token URL is /auth/token/ with its slash"
    );
    assert!(!body["access_token"].as_str().unwrap().is_empty());
    assert_eq!(sb.knobs().token_count(), 1);
}

#[tokio::test]
async fn refuses_wrong_credentials_and_grants() {
    let sb = start().await;
    let wrong = http()
        .post(sb.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "sandbox-client"),
            ("client_secret", "nope"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let body: Value = wrong.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");

    let grant = http()
        .post(sb.token_url())
        .form(&[("grant_type", "password"), ("client_id", "sandbox-client")])
        .send()
        .await
        .unwrap();
    assert_eq!(grant.status(), StatusCode::BAD_REQUEST);
    assert_eq!(sb.knobs().token_count(), 0);
}

#[tokio::test]
async fn fhir_needs_a_valid_bearer_token() {
    let api = Api::new().await;
    let none = api.http.get(api.url("/Task")).send().await.unwrap();
    assert_eq!(outcome(none).await.1, "unknown");

    let bogus = api
        .http
        .get(api.url("/Task"))
        .bearer_auth("made-up")
        .send()
        .await
        .unwrap();
    let (status, code, _) = outcome(bogus).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unknown")
    );

    let bare = api
        .http
        .get(api.url("/Task"))
        .header("authorization", &api.token)
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), StatusCode::UNAUTHORIZED);

    assert_eq!(api.get("/Task").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn expire_tokens_invalidates_every_token_issued_so_far() {
    let api = Api::new().await;
    assert_eq!(api.get("/Task").await.status(), StatusCode::OK);
    api.sb.knobs().expire_tokens();
    let (status, code, _) = outcome(api.get("/Task").await).await;
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::UNAUTHORIZED, "unknown")
    );

    let fresh = token(&api.sb).await;
    let again = api
        .http
        .get(api.url("/Task"))
        .bearer_auth(fresh)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);
}

#[tokio::test]
async fn tokens_expire_after_their_lifetime() {
    let config = SandboxConfig {
        token_lifetime: Duration::from_millis(1500),
        ..Default::default()
    };
    let sb = start_with(config).await;
    let token = token(&sb).await;
    let url = format!("{}/Task", sb.fhir_base());
    let ok = http().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1700)).await;
    let late = http().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(outcome(late).await.1, "unknown");
}

//! `taskbell-cli sandbox` as a separate process: it says where it listens, and with
//! `--pace-secs` its staff hand the requester work that a client then finds in Canvas.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The running sandbox and what it printed about itself, by label (`FHIR base`, …).
async fn start(args: &[&str]) -> (Child, HashMap<String, String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_taskbell-cli"))
        .args(["sandbox", "--port", "0"])
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("taskbell-cli starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut said = HashMap::new();
    while !said.contains_key("handout") {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
            .await
            .expect("it describes itself in time")
            .expect("stdout readable")
            .expect("the whole description");
        if let Some((label, value)) = line.trim().split_once("   ") {
            said.insert(label.trim().to_owned(), value.trim().to_owned());
        }
    }
    (child, said)
}

async fn token(http: &reqwest::Client, said: &HashMap<String, String>) -> String {
    let (id, secret) = said["client"].split_once(" / ").expect("id / secret");
    let answer: Value = http
        .post(&said["token URL"])
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .expect("token answer")
        .json()
        .await
        .expect("token JSON");
    answer["access_token"].as_str().expect("a token").to_owned()
}

#[tokio::test]
async fn the_handout_is_off_unless_a_pace_is_given() {
    let (mut child, said) = start(&[]).await;
    assert_eq!(said["handout"], "off");
    child.kill().await.expect("stopped");
}

#[tokio::test]
async fn with_pace_secs_the_requester_is_handed_a_task() {
    let (mut child, said) = start(&["--pace-secs", "1"]).await;
    assert_eq!(said["handout"], "every 1 s");
    let http = reqwest::Client::new();
    let token = token(&http, &said).await;
    let url = format!(
        "{}/Task?owner=Practitioner/{}&status=requested",
        said["FHIR base"], said["requester"]
    );
    let deadline = Instant::now() + Duration::from_secs(8);
    loop {
        let bundle: Value = http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("search answer")
            .json()
            .await
            .expect("search JSON");
        if bundle["total"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "nothing handed out: {bundle}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    child.kill().await.expect("stopped");
}

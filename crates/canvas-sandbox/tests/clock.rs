//! The sandbox's clock can be set off the machine's, and everything it stamps follows it:
//! `lastModified`, default `authoredOn` and note times, staff changes, and the `Date` header of
//! every answer (which a client reads to learn Canvas's time).

mod common;

use common::{assert_canvas_micros, date_header, http, skew_secs, Api};
use reqwest::{Response, StatusCode};
use serde_json::json;
use time::Duration;

/// A few seconds: the test's own steps take some, and `Date` has whole seconds.
const SLACK: i64 = 3;

fn assert_date_near(response: &Response, offset: Duration, what: &str) {
    assert_eq!(
        response.headers().get_all("date").iter().count(),
        1,
        "{what}: one Date header"
    );
    let skew = skew_secs(date_header(response), offset);
    assert!(
        skew <= SLACK,
        "{what}: Date is {skew} s off the sandbox clock"
    );
}

async fn stamps_follow_an_offset_of(offset: Duration) {
    let api = Api::new().await;
    api.sb.knobs().set_clock_offset(offset);
    assert_eq!(api.sb.knobs().clock_offset(), offset);

    let token = common::token_response(&api.sb).await;
    assert_date_near(&token, offset, "token");

    let mut body = api.body("clock");
    body["note"] = json!([common::note(&api.sb, "no time given")]);
    let created = api.post("/Task", &body).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_date_near(&created, offset, "create");
    let location = created.headers()["location"].to_str().unwrap();
    let id = location
        .rsplit_once("/Task/")
        .unwrap()
        .1
        .split('/')
        .next()
        .unwrap()
        .to_owned();

    let read = api.get(&format!("/Task/{id}")).await;
    assert_date_near(&read, offset, "read");
    let task: serde_json::Value = read.json().await.unwrap();
    let last_modified = assert_canvas_micros(&task["lastModified"]);
    assert!(skew_secs(last_modified, offset) <= SLACK, "{task}");
    for field in [&task["authoredOn"], &task["note"][0]["time"]] {
        let t = time::OffsetDateTime::parse(
            field.as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert!(skew_secs(t, offset) <= SLACK, "{field} in {task}");
    }

    assert_date_near(&api.get("/Task?status=requested").await, offset, "search");
    assert_date_near(&api.get("/Task/nope").await, offset, "404");
    let unauthenticated = http().get(api.url("/Task")).send().await.unwrap();
    assert_eq!(unauthenticated.status(), StatusCode::UNAUTHORIZED);
    assert_date_near(&unauthenticated, offset, "401");
    let permalink = task["extension"][0]["valueString"].as_str().unwrap();
    assert_date_near(
        &http().get(permalink).send().await.unwrap(),
        offset,
        "permalink",
    );

    // A change made by staff in the UI is stamped by the same clock.
    assert!(api.sb.set_task_status(&id, "completed"));
    let after = assert_canvas_micros(&api.task(&id).await["lastModified"]);
    assert!(after > last_modified);
    assert!(skew_secs(after, offset) <= SLACK);
}

#[tokio::test]
async fn stamps_follow_a_clock_ten_minutes_ahead() {
    stamps_follow_an_offset_of(Duration::minutes(10)).await;
}

#[tokio::test]
async fn stamps_follow_a_clock_ten_minutes_behind() {
    stamps_follow_an_offset_of(Duration::minutes(-10)).await;
}

#[tokio::test]
async fn the_offset_can_change_at_runtime() {
    let api = Api::new().await;
    assert!(skew_secs(date_header(&api.get("/Task").await), Duration::ZERO) <= SLACK);
    api.sb.knobs().set_clock_offset(Duration::minutes(10));
    let ahead = date_header(&api.get("/Task").await);
    api.sb.knobs().set_clock_offset(Duration::minutes(-10));
    let behind = date_header(&api.get("/Task").await);
    assert!((ahead - behind).whole_seconds() >= 20 * 60 - SLACK);
    api.sb.knobs().set_clock_offset(Duration::ZERO);
    assert!(skew_secs(date_header(&api.get("/Task").await), Duration::ZERO) <= SLACK);
}

//! `lastModified` as Canvas serves it: on every Task the sandbox renders (read and search),
//! RFC 3339 UTC with microseconds, no `meta.lastUpdated`, and strictly later after every change
//! to the task, comments included, even when the clock is moved back.

mod common;

use common::{assert_canvas_micros, ids, Api};
use reqwest::StatusCode;
use serde_json::{json, Value};
use time::OffsetDateTime;

async fn last_modified(api: &Api, id: &str) -> OffsetDateTime {
    assert_canvas_micros(&api.task(id).await["lastModified"])
}

#[tokio::test]
async fn read_and_search_carry_the_same_last_modified_and_no_meta() {
    let api = Api::new().await;
    api.create(&api.body("created")).await;
    api.sb.insert_tasks(2, "completed");
    let (status, bundle) = api.get_json("/Task?_count=100").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&bundle).len(), 3);
    for entry in bundle["entry"].as_array().unwrap() {
        let keys: Vec<&String> = entry.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["resource"], "entries carry the resource only");
        let resource = &entry["resource"];
        assert!(resource.get("meta").is_none(), "{resource}");
        let id = resource["id"].as_str().unwrap();
        let read = api.task(id).await;
        assert!(read.get("meta").is_none(), "{read}");
        assert_canvas_micros(&read["lastModified"]);
        assert_eq!(read["lastModified"], resource["lastModified"]);
        assert_eq!(
            api.sb.task_json(id).unwrap()["lastModified"],
            read["lastModified"]
        );
    }
}

#[tokio::test]
async fn every_change_moves_it_strictly_later() {
    let api = Api::new().await;
    let id = api.create(&api.body("x")).await;
    let mut last = last_modified(&api, &id).await;
    let mut step = |t: OffsetDateTime, what: &str| {
        assert!(t > last, "{what}: {t} is not after {last}");
        last = t;
    };

    let mut task = api.task(&id).await;
    task["description"] = json!("edited");
    assert_eq!(api.put(&id, &task).await.status(), StatusCode::OK);
    step(last_modified(&api, &id).await, "edit");

    let mut comment = api.task(&id).await;
    comment["note"] = json!([common::note(&api.sb, "a comment")]);
    assert_eq!(api.put(&id, &comment).await.status(), StatusCode::OK);
    step(last_modified(&api, &id).await, "comment");

    assert!(api.sb.set_task_status(&id, "completed"));
    step(last_modified(&api, &id).await, "staff completes");

    // Canvas's clock going back does not make a task's history go back.
    api.sb
        .knobs()
        .set_clock_offset(time::Duration::minutes(-10));
    let mut reopen = api.task(&id).await;
    reopen["status"] = json!("requested");
    assert_eq!(api.put(&id, &reopen).await.status(), StatusCode::OK);
    step(
        last_modified(&api, &id).await,
        "reopened after the clock went back",
    );

    // The `modified` search parameter filters on it, to the microsecond.
    let encoded: String =
        url::form_urlencoded::byte_serialize(common::fmt_micros(last).as_bytes()).collect();
    let (_, at) = api.get_json(&format!("/Task?modified=eq{encoded}")).await;
    assert_eq!(ids(&at), vec![id.clone()]);
    let (_, after) = api.get_json(&format!("/Task?modified=gt{encoded}")).await;
    assert!(ids(&after).is_empty());
}

#[tokio::test]
async fn a_burst_of_changes_still_gets_distinct_values() {
    let api = Api::new().await;
    let id = api.create(&api.body("burst")).await;
    let mut seen: Vec<Value> = vec![api.task(&id).await["lastModified"].clone()];
    for status in ["completed", "requested", "cancelled", "requested"] {
        assert!(api.sb.set_task_status(&id, status));
        seen.push(api.task(&id).await["lastModified"].clone());
    }
    let times: Vec<OffsetDateTime> = seen.iter().map(assert_canvas_micros).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
}
